package dev.freshet.bench;

import static dev.freshet.bench.StubServer.reply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * rank-spec against a stateful in-process stub that enforces the API's limits (1,000 entries, 64
 * KiB ingest bodies, 8 MiB catalog bodies, known item ids) and answers /state from what it was
 * sent.
 */
class SpecSetupTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StubServer server;
  private final Set<String> items = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Integer>> interactions = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> categories = new ConcurrentHashMap<>();
  private final Map<String, String> categoryOf = new ConcurrentHashMap<>();
  private final Set<String> violations = ConcurrentHashMap.newKeySet();
  private final Set<String> rankedUsers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger impressionRequests = new AtomicInteger();
  private final AtomicInteger maxIngestBody = new AtomicInteger();

  @BeforeEach
  void startStub() throws IOException {
    server = new StubServer();
    server.route("/health/ready", ex -> reply(ex, 200, "{\"status\":\"ready\"}"));
    server.route("/v1/items", this::items);
    server.route("/v1/impressions", this::impressions);
    server.route("/v1/events", this::events);
    server.route("/v1/users/", this::users);
  }

  @AfterEach
  void stopStub() {
    server.close();
  }

  private void items(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (ex.getRequestMethod().equals("GET")) {
      String id = path.substring("/v1/items/".length());
      reply(ex, items.contains(id) ? 200 : 404, "{}");
      return;
    }
    byte[] raw = ex.getRequestBody().readAllBytes();
    if (raw.length > 8 * 1024 * 1024) {
      reply(ex, 413, "{}");
      return;
    }
    JsonNode list = JSON.readTree(raw).path("items");
    if (list.size() < 1 || list.size() > 1_000) {
      violations.add("items: " + list.size());
      reply(ex, 400, "{}");
      return;
    }
    for (JsonNode item : list) {
      if (item.path("embedding").size() != 16
          || item.path("category").asText().isEmpty()
          || item.path("tags").size() < 2
          || item.path("popularity").asDouble(-1) < 0) {
        violations.add("item " + item);
      }
      items.add(item.path("id").asText());
      categoryOf.put(item.path("id").asText(), item.path("category").asText());
    }
    reply(ex, 200, "{\"upserted\":" + list.size() + "}");
  }

  private void impressions(HttpExchange ex) throws IOException {
    impressionRequests.incrementAndGet();
    JsonNode body = ingestBody(ex);
    if (body == null) {
      return;
    }
    JsonNode ids = body.path("itemIds");
    if (ids.size() < 1 || ids.size() > 1_000) {
      violations.add("itemIds: " + ids.size());
    }
    Set<String> userSeen =
        seen.computeIfAbsent(body.path("userId").asText(), u -> ConcurrentHashMap.newKeySet());
    int recorded = 0;
    for (JsonNode id : ids) {
      if (!items.contains(id.asText())) {
        reply(ex, 400, "{\"error\":{\"code\":\"unknown_item\"}}");
        return;
      }
      if (userSeen.add(id.asText())) {
        recorded++;
      }
    }
    reply(
        ex, 202, "{\"recorded\":" + recorded + ",\"duplicates\":" + (ids.size() - recorded) + "}");
  }

  private void events(HttpExchange ex) throws IOException {
    JsonNode body = ingestBody(ex);
    if (body == null) {
      return;
    }
    JsonNode events = body.path("events");
    if (events.size() < 1 || events.size() > 1_000) {
      violations.add("events: " + events.size());
    }
    for (JsonNode e : events) {
      String user = e.path("userId").asText();
      String item = e.path("itemId").asText();
      if (!items.contains(item)) {
        reply(ex, 400, "{\"error\":{\"code\":\"unknown_item\"}}");
        return;
      }
      if (e.path("type").asText().equals("dwell") != e.has("value")) {
        violations.add("value only on dwell: " + e);
      }
      seen.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(item);
      interactions
          .computeIfAbsent(user, u -> new ConcurrentHashMap<>())
          .merge(e.path("type").asText(), 1, Integer::sum);
      categories
          .computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet())
          .add(categoryOf.get(item));
    }
    reply(ex, 202, "{\"accepted\":" + events.size() + "}");
  }

  /** The body of an ingest request, or null after answering 413 past 64 KiB. */
  private JsonNode ingestBody(HttpExchange ex) throws IOException {
    byte[] raw = ex.getRequestBody().readAllBytes();
    maxIngestBody.accumulateAndGet(raw.length, Math::max);
    if (raw.length > 64 * 1024) {
      violations.add("ingest body of " + raw.length + " bytes");
      reply(ex, 413, "{}");
      return null;
    }
    return JSON.readTree(raw);
  }

  private void users(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String user = path.split("/")[3];
    if (path.endsWith("/state")) {
      ObjectNode state = JSON.createObjectNode();
      int userSeen = seen.getOrDefault(user, Set.of()).size();
      state.put("userId", user);
      state.put("seen", userSeen);
      state.put("unseen", items.size() - userSeen);
      state.put("poolSize", items.size());
      ObjectNode features = state.putObject("features");
      ObjectNode affinity = features.putObject("categoryAffinity");
      categories.getOrDefault(user, Set.of()).forEach(c -> affinity.put(c, 1.0));
      ObjectNode counts = features.putObject("interactions");
      counts.put("impression", userSeen);
      interactions.getOrDefault(user, Map.of()).forEach(counts::put);
      features.put("hasVector", interactions.containsKey(user));
      reply(ex, 200, state.toString());
      return;
    }
    rankedUsers.add(user);
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      list.append(i == 0 ? "" : ",")
          .append("{\"id\":\"s-")
          .append(i)
          .append("\",\"score\":1.0,\"position\":")
          .append(i + 1)
          .append('}');
    }
    reply(ex, 200, "{\"rankingId\":\"r1\",\"variant\":\"default\",\"items\":[" + list + "]}");
  }

  private String url() {
    return server.url();
  }

  private record Run(int exit, String out, JsonNode result) {}

  private Run run(String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "rank-spec",
                "--url",
                url(),
                "--duration",
                "1s",
                "--warmup",
                "0",
                "--concurrency",
                "4",
                "--state-sample",
                "3"));
    args.addAll(List.of(flags));
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int exit =
        new LoadGenerator(
                BenchConfig.parse(args, Map.of()),
                new PrintStream(buffer, true, StandardCharsets.UTF_8))
            .run();
    String out = buffer.toString(StandardCharsets.UTF_8);
    List<String> results = out.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertEquals(1, results.size(), out);
    return new Run(exit, out, JSON.readTree(results.get(0).substring("RESULT ".length())));
  }

  @Test
  void setsUpTheSpecConditionsThenRanksOnlyThoseUsers() throws Exception {
    Run run = run("--users", "3");
    String out = run.out();
    assertEquals(0, run.exit(), out);
    assertTrue(violations.isEmpty(), violations.toString());

    // the stub now holds what the SPEC asks for
    assertEquals(10_000, items.size());
    assertEquals(Set.of("su-0", "su-1", "su-2"), seen.keySet());
    seen.values()
        .forEach(
            s -> assertEquals(1_000, s.size(), "events are on seen items, so seen stays 1,000"));
    interactions
        .values()
        .forEach(
            counts -> {
              assertEquals(30, counts.values().stream().mapToInt(Integer::intValue).sum());
              assertEquals(1, counts.get("skip"));
            });
    assertEquals(3, impressionRequests.get(), "one request of 1,000 ids per user");
    assertTrue(maxIngestBody.get() < 12_000, "largest ingest body " + maxIngestBody.get());
    assertEquals(Set.of("su-0", "su-1", "su-2"), rankedUsers, "only the set-up users are ranked");

    assertTrue(out.contains("verify: su-0: seen 1,000, poolSize 10,000, interactions 30,"), out);
    assertTrue(
        out.contains(
            "verify: 3 users sampled: poolSize 10,000, seen min 1,000 mean 1,000 -> as set up; "
                + "the SPEC's ranking conditions"),
        out);
    assertTrue(out.contains("pool 10,000, mean seen 1,000 -> comparable"), out);
    assertFalse(out.contains("differ"), out);
    assertTrue(out.contains("== rank =="), out);

    JsonNode setup = run.result().path("setup");
    assertEquals(10_000, setup.path("itemsUpserted").asInt());
    assertEquals(10, setup.path("itemRequests").asInt());
    assertEquals(3_000, setup.path("recorded").asInt());
    assertEquals(0, setup.path("duplicates").asInt());
    assertEquals(90, setup.path("eventsAccepted").asInt());
    assertEquals(1, setup.path("eventRequests").asInt());
    assertTrue(setup.path("totalS").asDouble() > 0);
    assertTrue(
        setup.at("/verify/asSetUp").asBoolean() && setup.at("/verify/specConditions").asBoolean());
    JsonNode rank = run.result().path("rank");
    assertEquals(10_000, rank.at("/conditions/poolSize").asInt());
    assertEquals(1_000, rank.at("/conditions/meanSeenItems").asInt());
    assertEquals(1_000, rank.at("/conditions/minSeenItems").asInt());
    assertEquals(3, rank.at("/conditions/users").asInt());
    assertEquals(20, rank.at("/conditions/k").asInt());
    assertEquals(4, rank.at("/conditions/concurrency").asInt());
    assertEquals("su-", rank.at("/conditions/usersPrefix").asText());
    assertEquals(30, rank.at("/conditions/interactionsPerUser").asInt());
    assertTrue(rank.path("rankings").asLong() > 0);

    // a second run on the same node with --setup skip sends nothing but rankings and state reads
    int before = impressionRequests.get();
    Run again = run("--users", "3", "--setup", "skip");
    assertEquals(0, again.exit(), again.out());
    assertEquals(before, impressionRequests.get());
    assertTrue(again.result().at("/setup/skipped").asBoolean());
    assertFalse(again.out().contains("differ"), again.out());
  }

  @Test
  void aSmallerSetupIsReportedAsDifferentFromTheSpec() throws Exception {
    Run run = run("--users", "4", "--pool", "300", "--seen", "50", "--interactions", "5");
    assertEquals(0, run.exit(), run.out());
    seen.values().forEach(s -> assertEquals(50, s.size()));
    assertTrue(
        run.out().contains("-> as set up; smaller than the SPEC's ranking conditions"), run.out());
    assertTrue(
        run.out().contains("pool 300, mean seen 50 -> conditions differ from the SPEC's"),
        run.out());
  }

  @Test
  void otherItemsInTheCatalogFailTheCheckAndNothingIsMeasured() throws Exception {
    for (int i = 0; i < 100; i++) {
      items.add("demo-" + i);
    }
    Run run = run("--users", "2", "--pool", "200", "--seen", "20", "--interactions", "3");
    assertEquals(LoadGenerator.EXIT_SETUP_FAILED, run.exit(), run.out());
    assertTrue(run.out().contains("warning: the demo catalog is loaded"), run.out());
    assertTrue(
        run.out().contains("-> NOT as set up: su-0: poolSize 300 instead of 200"), run.out());
    assertFalse(run.out().contains("== rank =="), run.out());
    assertTrue(rankedUsers.isEmpty());
    assertFalse(run.result().at("/setup/verify/asSetUp").asBoolean(true));
  }

  @Test
  void setupOnlyStopsBeforeMeasuringAndSkipNeedsAnEarlierSetup() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    BenchConfig skip =
        BenchConfig.parse(List.of("rank-spec", "--url", url(), "--setup", "skip"), Map.of());
    assertEquals(
        LoadGenerator.EXIT_UNREACHABLE, new LoadGenerator(skip, new PrintStream(buffer)).run());

    Run only = run("--users", "2", "--pool", "200", "--seen", "20", "--setup", "only");
    assertEquals(0, only.exit(), only.out());
    assertFalse(only.out().contains("== rank =="), only.out());
    assertTrue(rankedUsers.isEmpty());
    assertEquals(200, items.size());
    assertEquals(40, only.result().at("/setup/impressions").asInt());
  }

  @Test
  void aRefusedRequestStopsTheSetup() throws Exception {
    server.route(
        "/v1/events", ex -> reply(ex, 400, "{\"error\":{\"code\":\"invalid\",\"field\":\"x\"}}"));
    Run run = run("--users", "2", "--pool", "200", "--seen", "20");
    assertEquals(LoadGenerator.EXIT_SETUP_FAILED, run.exit(), run.out());
    assertTrue(
        run.out().contains("setup failed: users: POST /v1/events answered 400: {\"error\""),
        run.out());
    assertTrue(run.result().at("/setup/failed").asText().contains("400"));
  }

  @Test
  void stateChecksReadTheFeaturesAndNameWhatIsWrong() throws Exception {
    JsonNode state =
        JSON.readTree(
            "{\"userId\":\"su-1\",\"seen\":1000,\"unseen\":9000,\"poolSize\":10000,"
                + "\"coverage\":0.1,\"features\":{\"categoryAffinity\":{\"cat-01\":3.5,\"cat-07\":2.0,\"cat-12\":-0.4},"
                + "\"interactions\":{\"impression\":1000,\"click\":14,\"like\":6,\"dwell\":9,\"skip\":1},"
                + "\"hasVector\":true}}");
    SpecSetup.UserCheck warm = SpecSetup.UserCheck.of("su-1", 200, state);
    assertEquals(new SpecSetup.UserCheck("su-1", 200, 1_000, 10_000, 30, 3, true), warm);
    assertEquals(
        "su-1: seen 1,000, poolSize 10,000, interactions 30, categories with affinity 3, user vector yes",
        warm.line());
    SpecSetup.UserCheck cold = new SpecSetup.UserCheck("su-2", 200, 999, 15_000, 0, 0, false);
    SpecSetup.UserCheck missing = SpecSetup.UserCheck.of("su-3", 503, null);

    assertEquals(List.of(), SpecSetup.problems(List.of(warm), 10_000, 1_000, true));
    assertEquals(
        List.of(
            "su-2: poolSize 15000 instead of 10000 (other items in the catalog: start the node with "
                + "FRESHET_DEMO_CATALOG=off on a fresh FRESHET_DATA_DIR)",
            "su-2: seen 999 < 1000",
            "su-2: no interactions recorded (features not warm)",
            "su-3: /state answered 503"),
        SpecSetup.problems(List.of(warm, cold, missing), 10_000, 1_000, true));
    assertEquals(List.of("no users sampled"), SpecSetup.problems(List.of(), 10_000, 1_000, true));

    SpecSetup.Verification v =
        new SpecSetup.Verification(
            List.of(warm, new SpecSetup.UserCheck("su-9", 200, 1_003, 10_000, 30, 2, true)),
            List.of());
    assertEquals(1_000, v.minSeen());
    assertEquals(1_001, v.meanSeen());
    assertEquals(
        "verify: 2 users sampled: poolSize 10,000, seen min 1,000 mean 1,001 -> as set up; "
            + "the SPEC's ranking conditions (10,000-item pool, 1,000 seen items, warm features)",
        LoadGenerator.verifyLine(v));
  }

  @Test
  void spreadSamplesFirstLastAndBetween() {
    assertArrayEquals(new int[] {0, 250, 500, 749, 999}, SpecSetup.spread(1_000, 5));
    assertArrayEquals(new int[] {0, 1, 2}, SpecSetup.spread(3, 5));
    assertArrayEquals(new int[] {0}, SpecSetup.spread(1, 5));
    assertArrayEquals(new int[] {0}, SpecSetup.spread(1_000, 1));
  }
}
