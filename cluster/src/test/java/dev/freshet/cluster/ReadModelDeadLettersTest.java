package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.persistence.EmbeddedDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Events the read models cannot write, journaled past the HTTP edge as a client or an older node
 * could have: each is set aside in {@code read_model_dead_letters} with its reason, counted, shown
 * in the pipelines view and alerted on, while the events after it are written and the offsets move
 * on; a replay adds no second dead letter. A database failing for a while is no reason to set
 * anything aside.
 */
class ReadModelDeadLettersTest {

  private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
  private static final String DEAD_LETTERS =
      "SELECT projection, reason, user_id, persistence_id FROM read_model_dead_letters ORDER BY projection, seq_nr";

  private static Interaction interaction(int item, InteractionType type, long at, String intent) {
    return new Interaction(item, type, at, intent, null, null, null);
  }

  @Test
  void eventsTheReadModelsCannotWriteAreSetAsideAndTheEventsAfterThemAreWritten() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    try {
      FreshetNode node = TestNodes.onDatabase(db, Optional.empty(), Map.of());
      try {
        Api api = new Api(node);
        assertThat(api.post("/v1/items", Api.items("dl-", 10, 2, "active")).status())
            .isEqualTo(200);
        // one user, so one tag: the bad events come first, the good ones after them in the same
        // stream
        String user = "odd";
        int d1 = UserEntities.dense(node, "dl-1");
        UserEntities.recordEvents(node, user, interaction(d1, InteractionType.CLICK, YEAR_0, null));
        // the largest epoch milliseconds there are: the year 292278994
        UserEntities.recordEvents(
            node,
            user,
            interaction(
                UserEntities.dense(node, "dl-2"), InteractionType.LIKE, Long.MAX_VALUE, null));
        UserEntities.recordImpressions(node, user, YEAR_0, UserEntities.dense(node, "dl-3"));
        // a partition exists for now, but events.intent is VARCHAR(64)
        UserEntities.recordEvents(
            node,
            user,
            interaction(
                UserEntities.dense(node, "dl-4"),
                InteractionType.SHARE,
                System.currentTimeMillis(),
                "x".repeat(65)));
        assertThat(
                api.post("/v1/impressions", Api.impressions(user, List.of("dl-5", "dl-6")))
                    .status())
            .isEqualTo(202);
        assertThat(
                api.post(
                        "/v1/events",
                        "{\"events\":["
                            + Api.event("click", user, "dl-5")
                            + ","
                            + Api.event("click", user, "dl-6")
                            + "]}")
                    .status())
            .isEqualTo(202);

        // every projection's offset is past every event of its tag
        tables.awaitCaughtUp(Duration.ofSeconds(30));
        assertThat(
                tables.rows(
                    "SELECT item_id, type FROM events WHERE user_id = 'odd' ORDER BY item_id"))
            .containsExactly("dl-5|click", "dl-6|click");
        assertThat(
                tables.rows(
                    "SELECT item_id FROM user_impressions WHERE user_id = 'odd' ORDER BY item_id"))
            .containsExactly("dl-5", "dl-6");

        assertThat(tables.rows(DEAD_LETTERS))
            .containsExactly(
                "events|partition_out_of_range|odd|User|odd",
                "events|partition_out_of_range|odd|User|odd",
                "events|invalid_row|odd|User|odd",
                "user_impressions|partition_out_of_range|odd|User|odd");
        // each names its journal event exactly
        assertThat(
                tables.count(
                    "SELECT count(*) FROM read_model_dead_letters d JOIN event_journal j ON j.persistence_id = d.persistence_id "
                        + "AND j.sequence_number = d.seq_nr AND j.ordering = d.journal_ordering"))
            .isEqualTo(4);
        // the event as JSON, and why
        assertThat(
                tables.rows(
                    "SELECT event, detail FROM read_model_dead_letters WHERE projection = 'events' ORDER BY seq_nr"))
            .satisfiesExactly(
                year0 ->
                    assertThat(year0)
                        .contains(
                            "\"type\":\"InteractionsRecorded\"",
                            "\"at\":" + YEAR_0,
                            "\"type\":\"CLICK\"")
                        .contains("no partition for 0000-01-01T00:00:00Z"),
                farFuture ->
                    assertThat(farFuture)
                        .contains("\"at\":" + Long.MAX_VALUE, "no partition for +292278994-"),
                tooLong ->
                    assertThat(tooLong)
                        .contains(
                            "\"type\":\"SHARE\"", "value too long for type character varying(64)"));
        assertThat(
                tables
                    .rows(
                        "SELECT event FROM read_model_dead_letters WHERE projection = 'user_impressions'")
                    .get(0))
            .contains("\"type\":\"ImpressionsShown\"", "\"atMillis\":" + YEAR_0);

        // counted on the offset rows (with the skipped events they are part of) ...
        assertThat(
                tables.rows(
                    "SELECT projection, sum(dead_letters_total), sum(skipped_total) FROM read_model_offsets "
                        + "WHERE tag LIKE 'user-%' GROUP BY 1 ORDER BY 1"))
            .containsExactly("events|3|3", "user_impressions|1|1");
        // ... in /metrics, by reason ...
        PrometheusText metrics = PrometheusText.parse(api.text("/metrics"));
        assertThat(deadLetterMetric(metrics, "events", "partition_out_of_range")).isEqualTo(2);
        assertThat(deadLetterMetric(metrics, "events", "invalid_row")).isEqualTo(1);
        assertThat(deadLetterMetric(metrics, "user_impressions", "partition_out_of_range"))
            .isEqualTo(1);
        assertThat(deadLetterMetric(metrics, "user_impressions", "invalid_row")).isZero();
        // ... in the pipelines view (sampled every 2 s) ...
        Shards.awaitTrue(
            "dead letters in /v1/admin/pipelines",
            Duration.ofSeconds(20),
            () -> {
              Map<String, Long> shown = deadLettersByProjection(api);
              return shown.get("events") == 3L && shown.get("user_impressions") == 1L;
            });
        // ... and alerted on
        JsonNode alert = alert(api, "FreshetReadModelDeadLetters");
        assertThat(alert.path("state").asText()).as(alert.toString()).isEqualTo("firing");
        assertThat(alert.path("value").asDouble()).isEqualTo(4);
        assertThat(alert.path("config").asText())
            .isEqualTo("freshet.alerts.read-model-dead-letters");
      } finally {
        node.stop();
      }

      // the projections replay the whole journal: the same events are set aside again, and nothing
      // is added
      try (Connection c = tables.connect();
          Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE read_model_offsets SET ordering = 0 WHERE tag LIKE 'user-%'");
      }
      FreshetNode again = TestNodes.onDatabase(db, Optional.empty(), Map.of());
      try {
        tables.awaitCaughtUp(Duration.ofSeconds(30));
        assertThat(tables.count("SELECT count(*) FROM read_model_dead_letters")).isEqualTo(4);
        assertThat(tables.rows("SELECT item_id FROM events WHERE user_id = 'odd' ORDER BY item_id"))
            .containsExactly("dl-5", "dl-6");
        assertThat(
                tables.rows(
                    "SELECT projection, sum(dead_letters_total) FROM read_model_offsets WHERE tag LIKE 'user-%' GROUP BY 1 ORDER BY 1"))
            .containsExactly("events|3", "user_impressions|1");
        Api api = new Api(again);
        PrometheusText metrics = PrometheusText.parse(api.text("/metrics"));
        assertThat(deadLetterMetric(metrics, "events", "partition_out_of_range")).isZero();
        assertThat(alert(api, "FreshetReadModelDeadLetters").path("state").asText())
            .isEqualTo("ok");
      } finally {
        again.stop();
      }
    } finally {
      db.close();
    }
  }

  @Test
  void aBatchWhosePartitionTheDatabaseCannotMakeForAWhileIsRetriedNotSetAside() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    // a month of its own, inside the retention period: only this test's good event is in it
    Instant goodAt = Instant.now().minus(Duration.ofDays(40));
    String goodPartition =
        "events_p"
            + YearMonth.from(goodAt.atZone(ZoneOffset.UTC))
                .format(DateTimeFormatter.ofPattern("yyyyMM"));
    FreshetNode node =
        TestNodes.onDatabase(
            db,
            Optional.empty(),
            Map.of(
                // the two events below make one batch: the unpartitionable one and the good one
                // together
                "freshet.read-models.batch-size", 2,
                "freshet.read-models.max-delay", "60s",
                "freshet.read-models.restart.min-backoff", "100ms",
                "freshet.read-models.restart.max-backoff", "500ms"));
    try {
      Api api = new Api(node);
      assertThat(api.post("/v1/items", Api.items("t-", 10, 2, "active")).status()).isEqualTo(200);
      // the disk under the good month's partition is full: creating it fails, and not on its data
      try (Connection c = tables.connect();
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE FUNCTION disk_full() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF current_query() LIKE '%"
                + goodPartition
                + " %' THEN "
                + "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                + "END IF; END $$");
        s.execute(
            "CREATE EVENT TRIGGER disk_full ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION disk_full()");
      }
      UserEntities.recordEvents(
          node,
          "held",
          interaction(UserEntities.dense(node, "t-1"), InteractionType.CLICK, YEAR_0, null));
      assertThat(
              api.post(
                      "/v1/events",
                      "{\"events\":["
                          + Api.event("click", "held", "t-2", ",\"ts\":\"" + goodAt + "\"")
                          + "]}")
                  .status())
          .isEqualTo(202);

      // the batch fails and is tried again, over and over ...
      Shards.awaitTrue(
          "the events projection retrying its batch",
          Duration.ofSeconds(30),
          () ->
              PrometheusText.parse(api.text("/metrics"))
                      .sample("freshet_pipeline_failed_batches_total", "projection", "events")
                      .map(PrometheusText.Sample::value)
                      .orElse(0.0)
                  >= 3);
      // ... and neither event is set aside nor passed: not even the year-0 one found on the way
      assertThat(tables.count("SELECT count(*) FROM read_model_dead_letters")).isZero();
      assertThat(tables.count("SELECT count(*) FROM events")).isZero();
      assertThat(tables.caughtUp(2, 4)).isFalse();
      assertThat(
              tables.rows(
                  "SELECT last_error FROM read_model_offsets WHERE projection = 'events' AND last_error IS NOT NULL"))
          .singleElement()
          .satisfies(error -> assertThat(error).contains("Could not create partitions"));

      // the disk has room again: the next try writes the good event and sets the other aside
      try (Connection c = tables.connect();
          Statement s = c.createStatement()) {
        s.execute("DROP EVENT TRIGGER disk_full");
      }
      tables.awaitCaughtUp(Duration.ofSeconds(30));
      assertThat(tables.rows("SELECT user_id, item_id FROM events")).containsExactly("held|t-2");
      assertThat(tables.rows(DEAD_LETTERS))
          .containsExactly("events|partition_out_of_range|held|User|held");
    } finally {
      node.stop();
      db.close();
    }
  }

  private static double deadLetterMetric(PrometheusText metrics, String projection, String reason) {
    return metrics.value(
        "freshet_pipeline_dead_letters_total", "projection", projection, "reason", reason);
  }

  private static Map<String, Long> deadLettersByProjection(Api api) {
    Map<String, Long> byProjection = new TreeMap<>(Map.of("events", 0L, "user_impressions", 0L));
    api.get("/v1/admin/pipelines")
        .body()
        .path("pipelines")
        .forEach(
            p ->
                byProjection.merge(
                    p.path("projection").asText(), p.path("deadLettersTotal").asLong(), Long::sum));
    return byProjection;
  }

  private static JsonNode alert(Api api, String name) {
    for (JsonNode a : api.get("/v1/admin/alerts").body().path("alerts")) {
      if (a.path("name").asText().equals(name)) return a;
    }
    throw new AssertionError("no alert " + name);
  }
}
