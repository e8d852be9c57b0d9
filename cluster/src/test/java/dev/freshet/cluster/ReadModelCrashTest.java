package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.EmbeddedDatabase;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of a node in the middle of projecting: the node runs in a child JVM over a
 * journal with a backlog while ingest goes on, is killed once its projections are part-way, and a
 * new node on the same database finishes the work. Every read-model row must then be exactly what
 * the journal holds: nothing missing, nothing twice, no view counted twice.
 */
class ReadModelCrashTest {

  private static final int USERS = 60;
  private static final int ITEMS = 300;

  @Test
  void afterKillMinusNineMidProjectionTheReadModelsEqualTheJournal() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    List<String> users = new ArrayList<>();
    for (int u = 0; u < USERS; u++) users.add("crash-" + u);
    try {
      // 1. a backlog: the journal fills while no projection runs
      FreshetNode writer =
          TestNodes.onDatabase(db, Optional.empty(), Map.of("freshet.read-models.enabled", false));
      try {
        Api api = new Api(writer);
        assertThat(api.post("/v1/items", Api.items("k-", ITEMS, 5, "active")).status())
            .isEqualTo(200);
        ingest(api, users, 0, 8, new AtomicBoolean(true), new AtomicInteger());
      } finally {
        writer.stop();
      }
      assertThat(tables.count("SELECT count(*) FROM read_model_offsets")).isZero();

      // 2. a node in its own JVM projects the backlog while ingest goes on, and is killed part-way
      int port = freePort();
      Process child = startChild(db, port);
      AtomicBoolean ingesting = new AtomicBoolean(true);
      AtomicInteger acknowledged = new AtomicInteger();
      Thread load = new Thread(() -> ingest(new Api(port), users, 8, 100, ingesting, acknowledged));
      try {
        awaitReady(new Api(port), child);
        // Main sized the common pool before anything initialised it (else every asynchronous
        // CompletableFuture step on 2 cores starts a thread)
        assertThat(Files.readString(CHILD_LOG.toPath()))
            .contains("asynchronous CompletableFuture steps run on the common pool");
        load.start();
        Shards.awaitTrue(
            "projections part-way, with ingest going on",
            Duration.ofSeconds(60),
            () ->
                acknowledged.get() >= 30
                    && tables.count("SELECT COALESCE(sum(rows_total), 0) FROM read_model_offsets")
                        > 50
                    && !tables.caughtUp(2, 4));
        child.destroyForcibly(); // SIGKILL: no coordinated shutdown, no drain
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        ingesting.set(false);
        child.destroyForcibly();
        load.join(30_000);
      }
      assertThat(tables.caughtUp(2, 4)).as("killed before the read models caught up").isFalse();
      assertThat(acknowledged.get()).as("ingest went on while projecting").isPositive();

      // 3. a new node resumes from the committed offsets
      FreshetNode survivor = TestNodes.onDatabase(db, Optional.empty(), Map.of());
      try {
        tables.awaitCaughtUp(Duration.ofSeconds(60));
        Expected expected = expected(survivor, users);
        assertThat(
                sorted(
                    tables.rows(
                        "SELECT user_id, item_id, view_count, COALESCE(surface, '-'), COALESCE(ranking_id, '-'), "
                            + "COALESCE(position, -1), (extract(epoch FROM first_seen_at) * 1000)::bigint FROM user_impressions "
                            + "ORDER BY 1, 2")))
            .isEqualTo(expected.impressions());
        assertThat(
                sorted(
                    tables.rows(
                        "SELECT user_id, item_id, type, COALESCE(intent, '-'), COALESCE(ranking_id, '-'), COALESCE(position, -1), "
                            + "(extract(epoch FROM occurred_at) * 1000)::bigint FROM events")))
            .isEqualTo(expected.events());
        assertThat(expected.impressions().size()).isGreaterThan(USERS * 8);
      } finally {
        survivor.stop();
      }
    } finally {
      db.close();
    }
  }

  /**
   * Rounds {@code from} to {@code to} of a deterministic load: per user and round, a batch of eight
   * items with ranking context, overlapping the previous round's (so some are repeats), then a
   * click and a skip for every user. Counts the requests acknowledged in {@code acked}; stops on
   * the first failure or when {@code go} turns false.
   */
  private static void ingest(
      Api api, List<String> users, int from, int to, AtomicBoolean go, AtomicInteger acked) {
    for (int round = from; round < to && go.get(); round++) {
      for (int u = 0; u < users.size() && go.get(); u++) {
        List<String> ids = new ArrayList<>();
        List<String> positions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          ids.add("\"k-" + ((u * 13 + round * 5 + i) % ITEMS) + "\"");
          positions.add(String.valueOf(i + 1));
        }
        String body =
            "{\"userId\":\""
                + users.get(u)
                + "\",\"itemIds\":["
                + String.join(",", ids)
                + "],\"surface\":\"s"
                + (round % 3)
                + "\",\"rankingId\":\"r-"
                + u
                + "-"
                + round
                + "\",\"positions\":["
                + String.join(",", positions)
                + "]}";
        if (!accepted(api, "/v1/impressions", body)) return;
        acked.incrementAndGet();
      }
      StringBuilder events = new StringBuilder("{\"events\":[");
      for (int u = 0; u < users.size(); u++) {
        if (u > 0) events.append(',');
        String item = "k-" + ((u * 13 + round * 5) % ITEMS);
        events
            .append("{\"type\":\"click\",\"userId\":\"")
            .append(users.get(u))
            .append("\",\"itemId\":\"")
            .append(item)
            .append("\",\"rankingId\":\"r-")
            .append(u)
            .append('-')
            .append(round)
            .append("\",\"position\":1,\"intent\":\"i")
            .append(round % 2)
            .append("\"},");
        events
            .append("{\"type\":\"skip\",\"userId\":\"")
            .append(users.get(u))
            .append("\",\"itemId\":\"k-")
            .append((u * 13 + round * 5 + 7) % ITEMS)
            .append("\"}");
      }
      events.append("]}");
      if (!accepted(api, "/v1/events", events.toString())) return;
      acked.incrementAndGet();
    }
  }

  private static boolean accepted(Api api, String path, String body) {
    try {
      return api.post(path, body).status() == 202;
    } catch (RuntimeException e) {
      return false; // the node was killed
    }
  }

  private record Expected(List<String> impressions, List<String> events) {}

  /** The read models as a fold of each user's journal, the single source of truth. */
  private static Expected expected(FreshetNode node, List<String> users) {
    CatalogSnapshot catalog = node.catalog().snapshot();
    List<String> impressions = new ArrayList<>();
    List<String> events = new ArrayList<>();
    for (String user : users) {
      Map<String, String[]> rows = new TreeMap<>();
      for (UserEntity.Event event : Journal.events(node.system(), user)) {
        if (event instanceof UserEntity.ImpressionsShown e) {
          for (int i = 0; i < e.firstTime().length; i++) {
            String item = catalog.byDenseId(e.firstTime()[i]).id();
            String position = e.positions() == null ? "-1" : String.valueOf(e.positions()[i]);
            rows.put(
                item,
                new String[] {
                  "1", or(e.surface()), or(e.rankingId()), position, String.valueOf(e.atMillis())
                });
          }
          for (int id : e.repeated()) {
            String[] row = rows.get(catalog.byDenseId(id).id());
            row[0] = String.valueOf(Integer.parseInt(row[0]) + 1);
          }
        } else if (event instanceof UserEntity.ImpressionsRecorded e) {
          for (int i = 0; i < e.itemIds().length; i++) {
            String item = catalog.byDenseId(e.itemIds()[i]).id();
            String position = e.positions() == null ? "-1" : String.valueOf(e.positions()[i]);
            rows.put(
                item,
                new String[] {
                  "1", or(e.surface()), or(e.rankingId()), position, String.valueOf(e.atMillis())
                });
          }
        } else if (event instanceof UserEntity.ImpressionsRepeated e) {
          for (int id : e.itemIds()) {
            String[] row = rows.get(catalog.byDenseId(id).id());
            row[0] = String.valueOf(Integer.parseInt(row[0]) + 1);
          }
        } else if (event instanceof UserEntity.InteractionsRecorded e) {
          for (Interaction i : e.interactions()) {
            String item = catalog.byDenseId(i.itemId()).id();
            String position = i.position() == null ? "-1" : String.valueOf(i.position());
            if (i.type() == InteractionType.IMPRESSION) {
              rows.put(
                  item,
                  new String[] {"1", "-", or(i.rankingId()), position, String.valueOf(i.at())});
            } else {
              events.add(
                  String.join(
                      "|",
                      user,
                      item,
                      i.type().wire(),
                      or(i.intent()),
                      or(i.rankingId()),
                      position,
                      String.valueOf(i.at())));
            }
          }
          for (int id : e.repeated()) {
            String[] row = rows.get(catalog.byDenseId(id).id());
            row[0] = String.valueOf(Integer.parseInt(row[0]) + 1);
          }
        }
      }
      rows.forEach((item, r) -> impressions.add(user + "|" + item + "|" + String.join("|", r)));
    }
    impressions.sort(null);
    events.sort(null);
    return new Expected(impressions, events);
  }

  /**
   * Sorted in Java, as the expectation is: PostgreSQL's collation orders "k-1" and "k-10"
   * otherwise.
   */
  private static List<String> sorted(List<String> rows) {
    List<String> sorted = new ArrayList<>(rows);
    sorted.sort(null);
    return sorted;
  }

  private static String or(String value) {
    return value == null ? "-" : value;
  }

  private static final File CHILD_LOG = new File("target/read-model-crash-child.log");

  private static Process startChild(EmbeddedDatabase db, int port) throws IOException {
    Map<String, String> props = new HashMap<>();
    props.put("freshet.db.url", db.jdbcUrl());
    props.put("freshet.db.user", "postgres");
    props.put("freshet.db.password", "");
    props.put("freshet.http.host", "127.0.0.1");
    props.put("freshet.http.port", String.valueOf(port));
    props.put("freshet.http.internal.port", "0");
    props.put("pekko.remote.artery.canonical.port", "0");
    props.put("freshet.management.enabled", "false");
    props.put("freshet.demo-catalog.enabled", "false");
    // like the in-JVM test nodes: the load sends no key and more than the limits allow
    props.put("freshet.auth.enabled", "off");
    props.put("freshet.limits.enabled", "off");
    // small batches: many transactions in flight over the backlog, so the kill lands between and
    // inside them
    props.put("freshet.read-models.batch-size", "3");
    props.put("freshet.read-models.max-delay", "20ms");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.freshet.cluster.Main");
    File log = CHILD_LOG;
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void awaitReady(Api api, Process child) throws InterruptedException {
    Shards.awaitTrue(
        "the child node ready",
        Duration.ofSeconds(90),
        () -> {
          if (!child.isAlive())
            throw new AssertionError(
                "the child node exited; see target/read-model-crash-child.log");
          try {
            return api.get("/health/ready").status() == 200;
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
