package dev.freshet.streams.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity.ImpressionsRecorded;
import dev.freshet.actors.user.UserEntity.ImpressionsRepeated;
import dev.freshet.actors.user.UserEntity.InteractionsRecorded;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.JdbcRankingEventStore;
import dev.freshet.persistence.JdbcUserData;
import dev.freshet.persistence.ReadModelPartitions;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a projection batch costs PostgreSQL: the statements of the transaction that writes a batch
 * (rows and offset) are the same for 1 ingest batch and for 200, so that the cost per event falls
 * with the batch and cannot grow back row by row unnoticed. The rows are checked too.
 */
class ProjectionStatementsTest {

  private static final String TAG = "user-0";
  private static final int ITEMS_PER_BATCH = 20;
  private static final int REPEATED_PER_BATCH = 5;
  private static final int CLICKS_PER_BATCH = 3;

  private static EmbeddedDatabase embedded;
  private static Database database;
  private static DataSource raw;
  private static CountingDataSource counting;
  private static ActorSystem<Void> system;
  private static ReadModelPartitions partitions;
  private static final AtomicLong ordering = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 4)));
    raw = database.dataSource();
    counting = new CountingDataSource(raw);
    partitions = new ReadModelPartitions(raw);
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "statements",
            ConfigFactory.parseString("pekko.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    execute(
        "INSERT INTO items (id, dense_id, category, status, created_at, version) "
            + "SELECT 'item-' || n, n, 'c', 'active', now(), 1 FROM generate_series(1, 1000) n");
  }

  @AfterAll
  static void stop() {
    system.terminate();
    database.close();
    embedded.close();
  }

  @Test
  void aProjectionBatchRunsTheSameStatementsForOneIngestBatchAsForTwoHundred() throws Exception {
    java.util.Map<String, List<Integer>> counts = new java.util.TreeMap<>();
    for (ReadModel model : List.of(new ImpressionsReadModel(), new EventsReadModel())) {
      project(model, ingestBatches("warm-" + model.name(), 1)); // partitions, offset row
      int one = statementsOfOneBatch(model, ingestBatches("one-" + model.name(), 1));
      List<EventEnvelope> manyEvents = ingestBatches("many-" + model.name(), 200);
      int many = statementsOfOneBatch(model, manyEvents);
      long last = ((Sequence) manyEvents.get(manyEvents.size() - 1).offset()).value();
      assertThat(
              count(
                  "SELECT ordering FROM read_model_offsets WHERE tag = '"
                      + TAG
                      + "' AND projection = '"
                      + model.name()
                      + "'"))
          .as("the offset of " + model.name())
          .isEqualTo(last);
      System.out.printf(
          "Statements per projection batch of %s: %d for 1 ingest batch, %d for 200%n",
          model.name(), one, many);
      counts.put(model.name(), List.of(one, many));
    }
    counts.forEach(
        (model, oneAndMany) ->
            assertThat(oneAndMany.get(1)).as(model).isEqualTo(oneAndMany.get(0)));
    // every row is there, once
    assertThat(count("SELECT count(*) FROM user_impressions WHERE user_id LIKE 'many-%'"))
        .isEqualTo(200L * ITEMS_PER_BATCH);
    assertThat(
            count(
                "SELECT count(*) FROM user_impressions WHERE user_id LIKE 'many-%' AND view_count = 2"))
        .isEqualTo(200L * REPEATED_PER_BATCH);
    assertThat(count("SELECT count(*) FROM events WHERE user_id LIKE 'many-%'"))
        .isEqualTo(200L * CLICKS_PER_BATCH);
    assertThat(count("SELECT count(*) FROM user_activity WHERE user_id LIKE 'many-%'"))
        .isEqualTo(200L);
  }

  @Test
  void aBadEventInABigBatchIsSetAsideAndTheOthersAreWritten() throws Exception {
    List<EventEnvelope> events = new ArrayList<>(ingestBatches("bad", 50, 17));
    // an impression of an item deleted since: skipped, not set aside
    events.add(
        envelope(
            "User|bad-gone",
            1,
            new ImpressionsRecorded(
                new int[] {5_000}, System.currentTimeMillis(), null, null, null),
            System.currentTimeMillis()));
    for (ReadModel model : List.of(new ImpressionsReadModel(), new EventsReadModel()))
      project(model, events);
    assertThat(count("SELECT count(*) FROM events WHERE user_id LIKE 'bad%'"))
        .isEqualTo(49L * CLICKS_PER_BATCH);
    assertThat(count("SELECT count(*) FROM user_impressions WHERE user_id LIKE 'bad%'"))
        .isEqualTo(50L * ITEMS_PER_BATCH);
    assertThat(
            count(
                "SELECT count(*) FROM read_model_dead_letters WHERE projection = 'events' "
                    + "AND reason = 'invalid_row' AND user_id = 'bad-17' AND seq_nr = 3"))
        .isEqualTo(1L);
    assertThat(count("SELECT count(*) FROM read_model_dead_letters WHERE user_id LIKE 'bad%'"))
        .isEqualTo(1L);
    assertThat(count("SELECT count(*) FROM user_impressions WHERE user_id = 'bad-gone'")).isZero();
  }

  @Test
  void aBatchOfRankingsIsOneInsertWithTheCandidatesAsArrays() throws Exception {
    JdbcRankingEventStore store = new JdbcRankingEventStore(counting, Duration.ofSeconds(10));
    List<Integer> statements = new ArrayList<>();
    for (int n : new int[] {1, 100}) {
      List<JdbcRankingEventStore.Row> rows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<JdbcRankingEventStore.Candidate> candidates = new ArrayList<>();
        for (int p = 1; p <= 20; p++)
          candidates.add(new JdbcRankingEventStore.Candidate("item-" + p, p, 1.0 / p, "affinity"));
        rows.add(
            new JdbcRankingEventStore.Row(
                "rk-" + n + "-" + i, "ranked", "control", i % 2 == 0, candidates, 1_000L + i));
      }
      rows.add(
          new JdbcRankingEventStore.Row(
              "rk-" + n + "-empty", "ranked", "shadow", false, List.of(), 1_000L));
      counting.reset();
      store.insert(rows);
      store.insert(rows); // a retried batch changes nothing
      statements.add(counting.committedTransactions().get(0));
    }
    System.out.printf(
        "Statements per ranking_events batch: %d for 1 ranking, %d for 100%n",
        statements.get(0), statements.get(1));
    assertThat(statements.get(1)).isEqualTo(statements.get(0));
    assertThat(count("SELECT count(*) FROM ranking_events WHERE user_id = 'ranked'"))
        .isEqualTo(103L);
    assertThat(
            count(
                "SELECT count(*) FROM ranking_events WHERE ranking_id = 'rk-100-7' AND NOT served "
                    + "AND item_ids[3] = 'item-3' AND positions[3] = 3 AND scores[4] = 0.25 "
                    + "AND reasons[20] = 'affinity' AND cardinality(item_ids) = 20 "
                    + "AND created_at = 'epoch'::timestamptz + interval '1007 milliseconds'"))
        .isEqualTo(1L);
    assertThat(
            count(
                "SELECT count(*) FROM ranking_events WHERE ranking_id = 'rk-100-empty' AND item_ids = '{}'"))
        .isEqualTo(1L);
    // the export shows the candidates as before: [{item, position, score, reason}, ...]
    String export = new JdbcUserData(raw, Duration.ofDays(1)).export("ranked").get("rankings");
    assertThat(export)
        .contains(
            "{\"item\" : \"item-2\", \"position\" : 2, \"score\" : 0.5, \"reason\" : \"affinity\"}");
  }

  private static int statementsOfOneBatch(ReadModel model, List<EventEnvelope> events)
      throws Exception {
    counting.reset();
    project(model, events);
    List<Integer> transactions = List.copyOf(counting.committedTransactions());
    assertThat(transactions).as("one transaction per batch").hasSize(1);
    return transactions.get(0);
  }

  @Test
  void aBatchIsNotAppliedWhenAnotherRunnerMovedTheOffsetMeanwhile() throws Exception {
    ReadModel model = new EventsReadModel();
    project(model, ingestBatches("warm-fence", 1));
    List<EventEnvelope> events = ingestBatches("fenced", 3);
    long moved = ((Sequence) events.get(events.size() - 1).offset()).value();
    AtomicBoolean once = new AtomicBoolean();
    project(
        model,
        (tag, offset) -> {
          // another runner commits these events after this one read its offset
          if (once.compareAndSet(false, true)) {
            try {
              execute(
                  "UPDATE read_model_offsets SET ordering = "
                      + moved
                      + " WHERE projection = 'events' AND tag = '"
                      + TAG
                      + "'");
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          }
          return Source.from(after(events, offset));
        });
    assertThat(count("SELECT count(*) FROM events WHERE user_id LIKE 'fenced%'")).isZero();
    assertThat(
            count(
                "SELECT ordering FROM read_model_offsets WHERE projection = 'events' AND tag = '"
                    + TAG
                    + "'"))
        .isEqualTo(moved);
  }

  private static List<EventEnvelope> after(List<EventEnvelope> events, Offset offset) {
    return events.stream()
        .filter(e -> ((Sequence) e.offset()).value() > ((Sequence) offset).value())
        .toList();
  }

  /** Runs the projection over {@code events} as its journal, in one batch, to its end. */
  private static void project(ReadModel model, List<EventEnvelope> events) throws Exception {
    project(model, (tag, offset) -> Source.from(after(events, offset)));
  }

  /** Runs the projection over {@code journal}, each run of it in one batch, to its end. */
  private static void project(ReadModel model, EventsByTagQuery journal) throws Exception {
    ProjectionSettings settings =
        new ProjectionSettings(
            true,
            10_000,
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            0.1,
            Duration.ofSeconds(2));
    ReadModelProjection projection =
        new ReadModelProjection(
            system, model, TAG, journal, counting, partitions, settings, new ProjectionCounters());
    projection.run().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * {@code n} users' ingest batches as the user entity journals them: 20 first-time impressions, 5
   * of them shown again, and 3 clicks.
   */
  private static List<EventEnvelope> ingestBatches(String prefix, int n) {
    return ingestBatches(prefix, n, -1);
  }

  /** The same, but user {@code bad}'s clicks carry an intent longer than events.intent holds. */
  private static List<EventEnvelope> ingestBatches(String prefix, int n, int bad) {
    long at = System.currentTimeMillis();
    List<EventEnvelope> events = new ArrayList<>();
    for (int u = 0; u < n; u++) {
      String pid = "User|" + prefix + "-" + u;
      int first = 1 + (u * 7) % (1000 - ITEMS_PER_BATCH);
      int[] items = IntStream.range(first, first + ITEMS_PER_BATCH).toArray();
      int[] positions = IntStream.range(0, ITEMS_PER_BATCH).toArray();
      events.add(
          envelope(pid, 1, new ImpressionsRecorded(items, at, positions, "home", "r-" + u), at));
      events.add(
          envelope(
              pid,
              2,
              new ImpressionsRepeated(
                  IntStream.range(first, first + REPEATED_PER_BATCH).toArray(), at + 1),
              at + 1));
      List<Interaction> clicks = new ArrayList<>();
      for (int i = 0; i < CLICKS_PER_BATCH; i++)
        clicks.add(
            new Interaction(
                first + i,
                InteractionType.CLICK,
                at + 2,
                u == bad ? "x".repeat(65) : "browse",
                null,
                "r-" + u,
                i));
      events.add(envelope(pid, 3, new InteractionsRecorded(clicks), at + 2));
    }
    return events;
  }

  private static EventEnvelope envelope(String pid, long seqNr, Object event, long at) {
    return new EventEnvelope(Offset.sequence(ordering.incrementAndGet()), pid, seqNr, event, at);
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = raw.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = raw.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
