package dev.freshet.bench;

import static dev.freshet.bench.StubServer.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the workloads against a small in-process stub of the Freshet API. */
class WorkloadRunnerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StubServer server;
  private Supplier<HttpConnection> connections;
  private final AtomicInteger impressionRequests = new AtomicInteger();
  private final Set<String> protocolViolations = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void startStub() throws IOException {
    server = new StubServer();
    server.route("/health/ready", ex -> replyChunked(ex, 200, "{\"status\":\"ready\"}"));
    server.route("/v1/items/", ex -> reply(ex, 200, "{\"id\":\"demo-0\"}"));
    server.route("/v1/impressions", this::impressions);
    server.route("/v1/users/", this::users);
    connections = () -> new HttpConnection(URI.create(server.url()), null, Duration.ofSeconds(5));
  }

  @AfterEach
  void stopStub() {
    server.close();
  }

  /**
   * Every 10th batch is refused with 503; the others are "recorded" except for one duplicate each.
   */
  private void impressions(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
    JsonNode ids = body.path("itemIds");
    Set<String> distinct = new HashSet<>();
    ids.forEach(id -> distinct.add(id.asText()));
    if (!"POST".equals(ex.getRequestMethod())
        || ids.size() != 20
        || distinct.size() != 20
        || !body.path("userId").asText().matches("u-[0-9]")
        || !distinct.stream().allMatch(id -> id.matches("demo-[0-9]{1,3}"))) {
      protocolViolations.add(body.toString());
    }
    if (impressionRequests.incrementAndGet() % 10 == 0) {
      reply(ex, 503, "{\"error\":{\"code\":\"overloaded\",\"message\":\"busy\"}}");
    } else {
      reply(ex, 202, "{\"recorded\":19,\"duplicates\":1}");
    }
  }

  /** u-0 gets an empty ranking, u-1 a short one (5 items), everyone else k=20 items. */
  private void users(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String user = path.split("/")[3];
    if (path.endsWith("/state")) {
      reply(ex, 200, "{\"userId\":\"" + user + "\",\"seen\":40,\"unseen\":960,\"poolSize\":1000}");
      return;
    }
    if (!"k=20".equals(ex.getRequestURI().getQuery())) {
      protocolViolations.add(ex.getRequestURI().toString());
    }
    int n = user.equals("u-0") ? 0 : user.equals("u-1") ? 5 : 20;
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < n; i++) {
      items
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"demo-")
          .append(i)
          .append("\",\"score\":1.0,\"position\":")
          .append(i)
          .append('}');
    }
    reply(ex, 200, "{\"rankingId\":\"r1\",\"variant\":\"control\",\"items\":[" + items + "]}");
  }

  /** Transfer-Encoding: chunked, in two chunks, to exercise the client's chunked decoding. */
  private static void replyChunked(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, 0);
    ex.getResponseBody().write(bytes, 0, 3);
    ex.getResponseBody().flush();
    ex.getResponseBody().write(bytes, 3, bytes.length - 3);
    ex.close();
  }

  private BenchConfig config(String command) throws BenchConfig.UsageException {
    return BenchConfig.parse(
        List.of(
            command,
            "--url",
            server.url(),
            "--users",
            "10",
            "--items",
            "1000",
            "--concurrency",
            "8",
            "--duration",
            "1s",
            "--warmup",
            "200ms",
            "--state-sample",
            "3"),
        Map.of());
  }

  @Test
  void ingestCountsOnlyTwoXxBatchesAsDurable() throws Exception {
    IngestWorkload workload = new IngestWorkload(config("ingest"));
    WorkloadRunner.RunStats stats =
        new WorkloadRunner(connections, new PrintStream(new ByteArrayOutputStream()))
            .run(workload, Duration.ofMillis(200), Duration.ofSeconds(1), 8, Duration.ofSeconds(5));

    assertTrue(protocolViolations.isEmpty(), protocolViolations.toString());
    assertTrue(stats.succeeded() > 50, "too few requests for a 1 s run: " + stats);
    long refused = stats.badStatuses().getOrDefault(503, 0L);
    assertEquals(Set.of(503), stats.badStatuses().keySet());
    assertTrue(Math.abs(stats.requests() / 10.0 - refused) <= 2, "every 10th refused: " + stats);
    assertEquals(Map.of(), stats.errors());
    assertEquals(0, stats.invalid());
    Map<String, Long> counters = workload.counters();
    assertEquals(20 * stats.succeeded(), counters.get("impressions"));
    assertEquals(19 * stats.succeeded(), counters.get("recorded"));
    assertEquals(stats.succeeded(), counters.get("duplicates"));
    assertEquals(stats.succeeded(), stats.latency().count());
    assertTrue(
        stats.latency().p99Ms() > 0 && stats.latency().p99Ms() < 1000, stats.latency().toString());
    assertEquals(1.0, stats.measuredSeconds(), 1e-9);
    assertTrue(
        impressionRequests.get() > stats.requests(), "warm-up requests are sent but not counted");
  }

  @Test
  void rankCountsEmptyRankingsAsInvalidAndShortOnesSeparately() throws Exception {
    RankWorkload workload = new RankWorkload(config("rank"));
    WorkloadRunner.RunStats stats =
        new WorkloadRunner(connections, new PrintStream(new ByteArrayOutputStream()))
            .run(workload, Duration.ZERO, Duration.ofSeconds(1), 8, Duration.ofSeconds(5));

    assertTrue(protocolViolations.isEmpty(), protocolViolations.toString());
    Map<String, Long> counters = workload.counters();
    assertEquals(stats.succeeded(), counters.get("rankings"));
    assertEquals(stats.invalid(), counters.get("empty"));
    assertTrue(counters.get("empty") > 0 && counters.get("short") > 0, counters.toString());
    // about 1 user in 10 is u-0 (empty), 1 in 10 is u-1 (short)
    assertEquals(0.1, counters.get("empty") / (double) stats.requests(), 0.05);
    assertEquals(
        counters.get("short") * 5 + (counters.get("rankings") - counters.get("short")) * 20,
        counters.get("itemsReturned"));
    try (HttpConnection connection = connections.get()) {
      assertEquals(
          Map.of(
              "stateSampledUsers", 3, "meanSeenItems", 40L, "minSeenItems", 40L, "poolSize", 1000L),
          workload.sampleUserState(connection, 3));
    }
  }

  @Test
  void allPrintsBothReportsAndOneResultLine() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int exit =
        new LoadGenerator(config("all"), new PrintStream(buffer, true, StandardCharsets.UTF_8))
            .run();
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, out);
    assertTrue(out.contains("== ingest =="), out);
    assertTrue(out.contains("== rank =="), out);
    List<String> resultLines = out.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertEquals(1, resultLines.size(), out);
    assertTrue(out.strip().endsWith(resultLines.get(0)), "RESULT is the last line");
    JsonNode result = JSON.readTree(resultLines.get(0).substring("RESULT ".length()));
    assertEquals(20, result.at("/ingest/conditions/batch").asInt());
    assertEquals(20, result.at("/rank/conditions/k").asInt());
    assertEquals(1000, result.at("/rank/conditions/poolSize").asInt());
    // the stub refuses batches and returns empty rankings, so neither target can be met
    assertEquals(false, result.at("/ingest/target/met").asBoolean(true));
    assertEquals(false, result.at("/rank/target/met").asBoolean(true));
    assertTrue(out.contains("target not met"), out);
  }

  @Test
  void oneConnectionReadsChunkedAndFixedLengthBodiesBackToBack() throws Exception {
    try (HttpConnection connection = connections.get()) {
      HttpConnection.Response chunked =
          connection.send(HttpConnection.Request.get("/health/ready"));
      assertEquals(200, chunked.status());
      assertEquals("{\"status\":\"ready\"}", new String(chunked.body(), StandardCharsets.UTF_8));
      HttpConnection.Response fixed =
          connection.send(HttpConnection.Request.get("/v1/items/demo-0"));
      assertEquals("{\"id\":\"demo-0\"}", new String(fixed.body(), StandardCharsets.UTF_8));
      byte[] batch =
          "{\"userId\":\"u-3\",\"itemIds\":[\"demo-1\"]}".getBytes(StandardCharsets.UTF_8);
      HttpConnection.Response posted =
          connection.send(HttpConnection.Request.postJson("/v1/impressions", batch));
      assertEquals(202, posted.status());
      assertEquals(
          "{\"recorded\":19,\"duplicates\":1}", new String(posted.body(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void pickDistinctGivesDistinctIdsInRange() {
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round < 1000; round++) {
      int[] picked = IngestWorkload.pickDistinct(random, 5000, 20);
      assertEquals(20, picked.length);
      assertEquals(20, Arrays.stream(picked).distinct().count());
      assertTrue(Arrays.stream(picked).allMatch(i -> i >= 0 && i < 5000));
    }
    int[] all = IngestWorkload.pickDistinct(random, 10, 10); // the whole range
    assertEquals(
        List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), Arrays.stream(all).sorted().boxed().toList());
  }
}
