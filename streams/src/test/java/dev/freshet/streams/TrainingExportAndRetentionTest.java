package dev.freshet.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.ReadModelPartitions;
import dev.freshet.persistence.ReadModelPartitions.Partition;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingExportAndRetentionTest {

  private static final Instant NOW = Instant.parse("2026-06-15T00:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(30);
  private static final Instant UNTIL = Instant.parse("2026-06-14T23:30:00Z"); // NOW - WINDOW
  private static final Instant SINCE = Instant.parse("2026-06-10T00:00:00Z");
  private static final Instant RETENTION_LIMIT =
      Instant.parse("2026-03-17T00:00:00Z"); // NOW - 90 days

  private static EmbeddedDatabase embedded;
  private static Database database;
  private static DataSource ds;
  private static ReadModelPartitions partitions;
  private final AtomicLong seqNr = new AtomicLong();

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 4)));
    ds = database.dataSource();
    partitions = new ReadModelPartitions(ds);
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  @BeforeEach
  void clean() throws SQLException {
    for (String table : ReadModelPartitions.TABLES)
      partitions.list(table).forEach(partitions::drop);
    execute("DELETE FROM ranking_events");
    execute("DELETE FROM extraction_checkpoints");
    execute("DELETE FROM read_model_dead_letters");
  }

  // --- training export ---

  /**
   * Five rankings of three positions each (June 14). Positive selections land at position 1 in r1
   * (with its ranking id), r3 (no ranking id, after the impression) and r5 (a like without intent),
   * and at position 2 in r2 (a share): ctr(1) = 3/5, ctr(2) = 1/5, ctr(3) = 0/5, so propensities
   * are 1, 1/3 and the floor 1/20. Everything else the users did must not count.
   */
  private void seedJune() throws SQLException {
    ranking("r0", "u1", "control", at("2026-06-01T00:00"));
    ranking("r1", "u1", "control", at("2026-06-14T10:00"));
    ranking("r2", "u2", "treatment", at("2026-06-14T10:10"));
    // r3 has no ranking event: its variant is unknown
    ranking("r4", "u4", "control", at("2026-06-14T10:30"));
    ranking("r5", "u5", "treatment", at("2026-06-14T10:40"));
    ranking("r6", "u1", "control", at("2026-06-14T23:45"));

    shown("r1", "u1", at("2026-06-14T10:00"), "i1", "i2", "i3");
    shown("r2", "u2", at("2026-06-14T10:10"), "i1", "i2", "i3");
    shown("r3", "user,3", at("2026-06-14T10:20"), "i\"4", "i5", "i6");
    shown("r4", "u4", at("2026-06-14T10:30"), "i1", "i2", "i3");
    shown("r5", "u5", at("2026-06-14T10:40"), "i7", "i8", "nine\nlines");
    // not training rows: no ranking, no position, before since, after until
    impression("u1", "i9", at("2026-06-14T10:05"), null, null);
    impression("u2", "i9", at("2026-06-14T10:10"), "r2", null);
    shown("r0", "u1", at("2026-06-01T00:00"), "early");
    shown("r6", "u1", at("2026-06-14T23:45"), "late", "late2");

    event("u1", "i1", "click", "browse", "r1", at("2026-06-14T10:01"));
    event(
        "u1",
        "i1",
        "like",
        "later",
        "r1",
        at("2026-06-14T10:05")); // not the earliest: intent stays browse
    event(
        "u1",
        "i3",
        "click",
        "browse",
        "r-other",
        at("2026-06-14T10:02")); // another ranking's click
    event("u2", "i2", "share", "gift", "r2", at("2026-06-14T10:12"));
    event(
        "user,3",
        "i\"4",
        "click",
        "explore",
        null,
        at("2026-06-14T10:25")); // no ranking id, after shown
    event("u4", "i1", "skip", "browse", "r4", at("2026-06-14T10:31")); // not a selection
    event(
        "u4", "i2", "click", "browse", null, at("2026-06-14T10:00")); // no ranking id, before shown
    event("u4", "i3", "dwell", null, "r4", at("2026-06-14T10:32")); // not a selection
    event("u5", "i7", "like", null, "r5", at("2026-06-14T10:41"));
    event("u1", "late", "click", "browse", "r6", at("2026-06-14T23:50"));
  }

  @Test
  void exportsOneRowPerShownItemWithClicksIntentsVariantsAndPropensities() throws Exception {
    seedJune();
    Path out = dir.resolve("training.csv");

    TrainingExport.Result result =
        new TrainingExport(ds, clockAt(NOW), WINDOW, PositionPropensity.DEFAULT_MAX_WEIGHT)
            .export(SINCE, out);

    assertThat(Files.readString(out))
        .isEqualTo(
            """
            user_id,ranking_id,variant,item_id,position,shown_at,clicked,intent,propensity,weight
            u1,r1,control,i1,1,2026-06-14T10:00:00Z,1,browse,1,1
            u1,r1,control,i2,2,2026-06-14T10:00:00Z,0,,0.333333,3
            u1,r1,control,i3,3,2026-06-14T10:00:00Z,0,,0.05,20
            u2,r2,treatment,i1,1,2026-06-14T10:10:00Z,0,,1,1
            u2,r2,treatment,i2,2,2026-06-14T10:10:00Z,1,gift,0.333333,3
            u2,r2,treatment,i3,3,2026-06-14T10:10:00Z,0,,0.05,20
            "user,3",r3,,"i""4",1,2026-06-14T10:20:00Z,1,explore,1,1
            "user,3",r3,,i5,2,2026-06-14T10:20:00Z,0,,0.333333,3
            "user,3",r3,,i6,3,2026-06-14T10:20:00Z,0,,0.05,20
            u4,r4,control,i1,1,2026-06-14T10:30:00Z,0,,1,1
            u4,r4,control,i2,2,2026-06-14T10:30:00Z,0,,0.333333,3
            u4,r4,control,i3,3,2026-06-14T10:30:00Z,0,,0.05,20
            u5,r5,treatment,i7,1,2026-06-14T10:40:00Z,1,,1,1
            u5,r5,treatment,i8,2,2026-06-14T10:40:00Z,0,,0.333333,3
            u5,r5,treatment,"nine
            lines",3,2026-06-14T10:40:00Z,0,,0.05,20
            """);
    assertThat(result.rows()).isEqualTo(15);
    assertThat(result.clicked()).isEqualTo(4);
    assertThat(result.since()).isEqualTo(SINCE);
    assertThat(result.until()).isEqualTo(UNTIL);
    assertThat(result.propensities())
        .extracting(
            PositionPropensity.Row::position,
            PositionPropensity.Row::shown,
            PositionPropensity.Row::clicked)
        .containsExactly(tuple(1, 5L, 3L), tuple(2, 5L, 1L), tuple(3, 5L, 0L));
    assertThat(Files.exists(dir.resolve("training.csv.tmp"))).isFalse();
    assertThat(TrainingExport.checkpoint(ds)).contains(UNTIL);
  }

  @Test
  void theNextExportFromTheCheckpointWritesOnlyNewerRowsAndTheCheckpointNeverGoesBack()
      throws Exception {
    seedJune();
    new TrainingExport(ds, clockAt(NOW), WINDOW, PositionPropensity.DEFAULT_MAX_WEIGHT)
        .export(SINCE, dir.resolve("first.csv"));
    Instant since = TrainingExport.checkpoint(ds).orElseThrow();

    StringWriter second = new StringWriter();
    TrainingExport.Result result =
        new TrainingExport(
                ds,
                clockAt(NOW.plus(Duration.ofDays(1))),
                WINDOW,
                PositionPropensity.DEFAULT_MAX_WEIGHT)
            .export(since, second);

    assertThat(second.toString())
        .isEqualTo(
            """
            user_id,ranking_id,variant,item_id,position,shown_at,clicked,intent,propensity,weight
            u1,r6,control,late,1,2026-06-14T23:45:00Z,1,browse,1,1
            u1,r6,control,late2,2,2026-06-14T23:45:00Z,0,,0.05,20
            """);
    assertThat(result.rows()).isEqualTo(2);
    assertThat(result.clicked()).isEqualTo(1);
    Instant secondUntil = Instant.parse("2026-06-15T23:30:00Z");
    assertThat(TrainingExport.checkpoint(ds)).contains(secondUntil);

    // re-exporting an older range (a backfill) must not move the checkpoint back
    new TrainingExport(ds, clockAt(NOW), WINDOW, PositionPropensity.DEFAULT_MAX_WEIGHT)
        .export(SINCE, new StringWriter());
    assertThat(TrainingExport.checkpoint(ds)).contains(secondUntil);
  }

  // --- retention ---

  /**
   * Impressions and events in February (a whole month older than the limit), March (the month
   * holding the limit, 2026-03-17: four impressions and three events before it, two impressions and
   * one event from it on) and June.
   */
  private void seedMonths() throws SQLException {
    for (String item : List.of("feb1", "feb2"))
      impression("u", item, at("2026-02-10T08:00"), null, null);
    for (String item : List.of("mar1", "mar2", "mar3"))
      impression("u", item, at("2026-03-05T08:00"), null, null);
    impression("u", "mar4", Instant.parse("2026-03-16T23:59:59Z"), null, null);
    impression("u", "kept1", RETENTION_LIMIT, null, null);
    impression("u", "kept2", at("2026-03-20T08:00"), null, null);
    impression("u", "kept3", at("2026-06-14T08:00"), null, null);
    for (int i = 0; i < 2; i++) event("u", "feb", "click", null, null, at("2026-02-10T08:00"));
    for (int i = 0; i < 3; i++) event("u", "mar", "click", null, null, at("2026-03-05T08:00"));
    event("u", "kept", "click", null, null, at("2026-03-20T08:00"));
    event("u", "kept", "click", null, null, at("2026-06-14T08:00"));
  }

  @Test
  void withoutAnExportCheckpointNothingIsPurged() throws Exception {
    seedMonths();

    Retention.Result result = retention(true).purge(NOW);

    assertThat(result.skipped())
        .hasValueSatisfying(reason -> assertThat(reason).contains("no training export"));
    assertThat(result.rowsDeleted()).isEmpty();
    assertThat(result.partitionsDropped()).isEmpty();
    assertThat(count("user_impressions")).isEqualTo(9);
    assertThat(count("events")).isEqualTo(7);
    assertThat(months("user_impressions")).containsExactly("202602", "202603", "202606");
    assertThat(months("events")).containsExactly("202602", "202603", "202606");
  }

  @Test
  void purgesNoFurtherThanTheExportHasConsumedThenDownToTheRetentionLimit() throws Exception {
    seedMonths();
    Retention retention = retention(true);

    // the export has consumed up to March 1st only: February goes, March stays although past
    // retention
    new TrainingExport(
            ds,
            clockAt(Instant.parse("2026-03-01T00:30:00Z")),
            WINDOW,
            PositionPropensity.DEFAULT_MAX_WEIGHT)
        .export(Instant.parse("2026-01-01T00:00:00Z"), new StringWriter());
    Retention.Result first = retention.purge(NOW);

    assertThat(first.skipped()).isEmpty();
    assertThat(first.limit()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(first.partitionsDropped()).isEqualTo(Map.of("user_impressions", 1, "events", 1));
    assertThat(first.rowsDeleted()).isEqualTo(Map.of("user_impressions", 0L, "events", 0L));
    assertThat(count("user_impressions")).isEqualTo(7);
    assertThat(count("events")).isEqualTo(5);
    assertThat(months("user_impressions")).containsExactly("202603", "202606");

    // once the export has caught up, the retention limit applies: March's older rows go, in batches
    // of 2
    new TrainingExport(ds, clockAt(NOW), WINDOW, PositionPropensity.DEFAULT_MAX_WEIGHT)
        .export(Instant.parse("2026-03-01T00:00:00Z"), new StringWriter());
    Retention.Result second = retention.purge(NOW);

    assertThat(second.limit()).isEqualTo(RETENTION_LIMIT);
    assertThat(second.partitionsDropped()).isEqualTo(Map.of("user_impressions", 0, "events", 0));
    assertThat(second.rowsDeleted()).isEqualTo(Map.of("user_impressions", 4L, "events", 3L));
    assertThat(items("user_impressions")).containsExactly("kept1", "kept2", "kept3");
    assertThat(items("events")).containsExactly("kept", "kept");
    assertThat(months("user_impressions")).containsExactly("202603", "202606");
    assertThat(months("events")).containsExactly("202603", "202606");

    Retention.Result again = retention.purge(NOW);
    assertThat(again.rowsDeleted()).isEqualTo(Map.of("user_impressions", 0L, "events", 0L));
    assertThat(again.partitionsDropped()).isEqualTo(Map.of("user_impressions", 0, "events", 0));
  }

  @Test
  void withoutRequiringAnExportPurgesDownToTheRetentionLimit() throws Exception {
    seedMonths();

    Retention.Result result = retention(false).purge(NOW);

    assertThat(result.limit()).isEqualTo(RETENTION_LIMIT);
    assertThat(result.partitionsDropped()).isEqualTo(Map.of("user_impressions", 1, "events", 1));
    assertThat(result.rowsDeleted()).isEqualTo(Map.of("user_impressions", 4L, "events", 3L));
    assertThat(items("user_impressions")).containsExactly("kept1", "kept2", "kept3");
    assertThat(count("events")).isEqualTo(2);
  }

  @Test
  void deadLettersSetAsideBeforeTheRetentionPeriodArePurgedWhateverTheExport() throws Exception {
    // by when they were set aside: their events' times are the ones no partition can hold
    deadLetter(1, RETENTION_LIMIT.minus(Duration.ofDays(30)));
    deadLetter(2, RETENTION_LIMIT.minusSeconds(1));
    deadLetter(3, RETENTION_LIMIT);
    deadLetter(4, at("2026-06-14T08:00"));

    // no export has run, which holds back the read models' purge but not this one (in batches of 2)
    assertThat(retention(true).purgeDeadLetters(NOW)).isEqualTo(2);
    List<Long> kept = new ArrayList<>();
    try (Connection c = ds.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT seq_nr FROM read_model_dead_letters ORDER BY seq_nr")) {
      while (rs.next()) kept.add(rs.getLong(1));
    }
    assertThat(kept).containsExactly(3L, 4L);
    assertThat(retention(true).purgeDeadLetters(NOW)).isZero();
  }

  @Test
  void theDashboardsHourlyRollupsOlderThanTheRetentionPeriodArePurgedWhateverTheExport()
      throws Exception {
    for (Instant hour :
        List.of(
            RETENTION_LIMIT.minus(Duration.ofDays(3)),
            RETENTION_LIMIT.minus(Duration.ofHours(1)),
            RETENTION_LIMIT.plus(Duration.ofHours(1)))) {
      try (Connection c = ds.getConnection();
          var ps =
              c.prepareStatement("INSERT INTO activity_hourly (hour, impressions) VALUES (?, 1)")) {
        ps.setObject(1, java.time.OffsetDateTime.ofInstant(hour, java.time.ZoneOffset.UTC));
        ps.executeUpdate();
      }
    }
    assertThat(retention(true).purgeRollups(NOW)).isEqualTo(2);
    assertThat(count("activity_hourly")).isEqualTo(1);
  }

  // --- helpers ---

  private static void deadLetter(long seqNr, Instant createdAt) throws SQLException {
    update(
        "INSERT INTO read_model_dead_letters (projection, tag, persistence_id, seq_nr, journal_ordering, user_id, reason, "
            + "detail, event, created_at) VALUES ('events', 'user-0', 'User|u', ?, ?, 'u', 'partition_out_of_range', 'd', '{}', ?)",
        seqNr,
        seqNr,
        ts(createdAt));
  }

  private static Retention retention(boolean requireExport) {
    return new Retention(ds, partitions, Retention.DEFAULT_RETENTION, requireExport, 2);
  }

  private static Clock clockAt(Instant now) {
    return Clock.fixed(now, ZoneOffset.UTC);
  }

  private static Instant at(String minute) {
    return Instant.parse(minute + ":00Z");
  }

  private static OffsetDateTime ts(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  private static void ranking(String rankingId, String user, String variant, Instant at)
      throws SQLException {
    update(
        "INSERT INTO ranking_events (ranking_id, user_id, variant, served, item_ids, positions, scores, reasons, created_at) "
            + "VALUES (?, ?, ?, true, '{}', '{}', '{}', '{}', ?)",
        rankingId,
        user,
        variant,
        ts(at));
  }

  /** The items of one ranking, at positions 1, 2, ... */
  private static void shown(String rankingId, String user, Instant at, String... items)
      throws SQLException {
    for (int i = 0; i < items.length; i++) impression(user, items[i], at, rankingId, i + 1);
  }

  private static void impression(
      String user, String item, Instant at, String rankingId, Integer position)
      throws SQLException {
    partitions.ensure("user_impressions", List.of(at));
    update(
        "INSERT INTO user_impressions (user_id, item_id, first_seen_at, view_count, last_seen_at, surface, ranking_id, position) "
            + "VALUES (?, ?, ?, 1, ?, 'home', ?, ?)",
        user,
        item,
        ts(at),
        ts(at),
        rankingId,
        position);
  }

  private void event(
      String user, String item, String type, String intent, String rankingId, Instant at)
      throws SQLException {
    partitions.ensure("events", List.of(at));
    update(
        "INSERT INTO events (user_id, seq_nr, idx, item_id, type, intent, ranking_id, position, value, occurred_at) "
            + "VALUES (?, ?, 0, ?, ?, ?, ?, NULL, NULL, ?)",
        user,
        seqNr.incrementAndGet(),
        item,
        type,
        intent,
        rankingId,
        ts(at));
  }

  private static void update(String sql, Object... params) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
      ps.executeUpdate();
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.createStatement().execute(sql);
    }
  }

  private static long count(String table) throws SQLException {
    try (Connection c = ds.getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> items(String table) throws SQLException {
    List<String> items = new ArrayList<>();
    try (Connection c = ds.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT item_id FROM " + table + " ORDER BY item_id")) {
      while (rs.next()) items.add(rs.getString(1));
    }
    return items;
  }

  private static List<String> months(String table) {
    return partitions.list(table).stream()
        .map(Partition::name)
        .map(n -> n.substring(n.length() - 6))
        .toList();
  }
}
