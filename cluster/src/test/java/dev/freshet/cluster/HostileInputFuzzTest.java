package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.cluster.HostileRequests.Case;
import dev.freshet.cluster.HostileRequests.Expect;
import dev.freshet.cluster.HostileRequests.Kind;
import dev.freshet.cluster.HostileRequests.Operation;
import dev.freshet.cluster.RawHttp.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 12's fuzz: for every operation of the served OpenAPI document, hostile variants of a valid
 * request (types, ranges, encodings, sizes, headers, methods, framing) over a real socket to one
 * real node with API keys on. Every answer must be a non-5xx, every refusal the error JSON (with a
 * {@code field} where one applies), and a refused request must change nothing (journal, catalog,
 * keys, share links, idempotency keys); afterwards the node is still ready and serves a normal
 * ingest and ranking.
 *
 * <p>Seeded and bounded: {@code -Dfreshet.fuzz.seed=N} replays a run (the seed is printed first),
 * {@code -Dfreshet.fuzz.seconds} (default 30) bounds the time spent starting cases and {@code
 * -Dfreshet.fuzz.cases} (default 20,000) their number. All violations are collected and reported
 * together, grouped, with one abbreviated request to reproduce each.
 */
class HostileInputFuzzTest {

  private static final long DEFAULT_SEED = 20_261_202L;
  private static final String ADMIN_KEY = "fuzz-admin-key-0123456789abcdef0123456789";

  /**
   * Longer than the node's ask timeout (3 s below), so that a request stuck inside is told from a
   * hang.
   */
  private static final int READ_TIMEOUT_MILLIS = 6_000;

  /**
   * A signature (route + mutation) that failed this often is not drawn again: see {@link
   * HostileRequests}.
   */
  private static final int QUARANTINE_AFTER = 2;

  private static final int READINESS_EVERY = 250;
  private static final int ITEMS = 50;
  private static final int DIMENSION = 16;

  /** Error codes about the request's content: their error JSON must name the field at fault. */
  private static final Set<String> FIELD_CODES =
      Set.of(
          "invalid_field",
          "malformed_json",
          "unknown_item",
          "body_too_large",
          "unsupported_media_type",
          "idempotency_key_reused",
          "idempotency_key_in_flight");

  /** Implementation details that an error message must not show a client. */
  private static final Pattern LEAK =
      Pattern.compile(
          "com\\.fasterxml|org\\.apache|\\bjava\\.[a-z]|\\bscala\\.|dev\\.freshet|[A-Za-z]+Exception\\b|\\bat [a-z]+\\.[a-z]+\\.");

  /**
   * Codes of refusals made before the request was read whole (by the HTTP parser's error handler,
   * or for a header that swallowed the lines after it): their trace id is new, as the request's own
   * X-Request-Id was never read.
   */
  private static final Set<String> UNREAD_CODES =
      Set.of(
          "malformed_request",
          "unsupported_method",
          "unsupported_version",
          "uri_too_long",
          "headers_too_large",
          "too_large",
          "malformed_header");

  /**
   * The one 5xx left, from inside Pekko HTTP 1.3 before any handler (README, security notes): an
   * HTTP/1.0 request with a chunked body fails Pekko's own request model and is answered 500 with
   * an empty body, then the connection closes. Its safe part is asserted: nothing runs, nothing
   * changes.
   */
  private static boolean knownUpstream500(Case c, RawHttp.Response r) {
    return c.mutation().equals("chunked on HTTP/1.0") && r.status() == 500 && r.body().length == 0;
  }

  private static final String CORS_ORIGINS = System.getProperty("freshet.fuzz.cors", "*");

  private static TestNodes.Standalone node;
  private static Api admin;
  private static HostileRequests.Keys keys;
  private static String victimKeyId;
  private static String shareToken;
  private static long now;

  @BeforeAll
  static void startNodeWithKeysCatalogAndUsers() {
    now = System.currentTimeMillis();
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("freshet.auth.enabled", "on");
    overrides.put("freshet.auth.admin-key", ADMIN_KEY);
    overrides.put(
        "freshet.limits.enabled", "off"); // the fuzz must reach the routes, not the limiter
    // CORS as shipped ("*", reference.conf) unless -Dfreshet.fuzz.cors lists origins; with a list,
    // a
    // foreign origin must also be refused
    overrides.put("freshet.http.cors.allowed-origins", CORS_ORIGINS);
    // a request stuck inside the node answers 503 well within the client's read timeout, and a
    // defect
    // that makes requests wait costs 3 s of the budget per case instead of 5
    overrides.put("freshet.http.ask-timeout", "3s");
    // no coverage thresholds: otherwise users that the fuzz makes see most of the 50 items would
    // make
    // the pool generator add items in the background, which would read as a state change
    overrides.put("freshet.pool.thresholds", List.of());
    overrides.put("freshet.catalog.embedding-dimension", DIMENSION);
    node = TestNodes.standalone(overrides);
    admin = new Api(node.node()).withKey(ADMIN_KEY);

    Map<String, String> byScope = new HashMap<>();
    byScope.put("admin", ADMIN_KEY);
    byScope.put("ingest", createKey("fuzz ingest", "ingest").path("key").asText());
    byScope.put("rank", createKey("fuzz rank", "rank").path("key").asText());
    JsonNode victim = createKey("fuzz victim", "rank");
    victimKeyId = victim.path("id").asText();
    assertThat(admin.delete("/v1/admin/keys/" + victimKeyId).status()).isEqualTo(200);
    keys = new HostileRequests.Keys(byScope, victim.path("key").asText());

    assertThat(admin.post("/v1/items", catalog()).status()).isEqualTo(200);
    for (int u = 0; u < 3; u++) {
      String user = "fz-user-" + u;
      assertThat(
              admin
                  .post(
                      "/v1/impressions",
                      Api.impressions(user, List.of("fz-" + u, "fz-" + (u + 10))))
                  .status())
          .isEqualTo(202);
      String click =
          "{\"events\":[{\"type\":\"click\",\"userId\":\""
              + user
              + "\",\"itemId\":\"fz-"
              + (u + 20)
              + "\"}]}";
      assertThat(admin.post("/v1/events", click).status()).isEqualTo(202);
    }
    assertThat(
            admin
                .post("/v1/impressions", Api.impressions("fz-erasable", List.of("fz-30")))
                .status())
        .isEqualTo(202);
    assertThat(admin.put("/v1/users/fz-user-0/favorites/fz-7").status()).isEqualTo(201);
    assertThat(admin.put("/v1/users/fz-user-1/favorites/fz-8").status()).isEqualTo(201);
    Api.Response share = admin.post("/v1/users/fz-user-0/favorites/share");
    assertThat(share.status()).isEqualTo(201);
    shareToken = share.body().path("token").asText();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  private static JsonNode createKey(String name, String scope) {
    Api.Response created =
        admin.post("/v1/admin/keys", "{\"name\":\"" + name + "\",\"scopes\":[\"" + scope + "\"]}");
    assertThat(created.status()).isEqualTo(201);
    return created.body();
  }

  private static String catalog() {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add(
          "{\"id\":\"fz-"
              + i
              + "\",\"category\":\"c"
              + (i % 5)
              + "\",\"tags\":[\"t"
              + (i % 3)
              + "\"],\"popularity\":"
              + (ITEMS - i)
              + ",\"embedding\":"
              + vector(i)
              + "}");
    }
    return "{\"items\":[" + String.join(",", items) + "]}";
  }

  private static String vector(int seed) {
    List<String> v = new ArrayList<>();
    for (int d = 0; d < DIMENSION; d++)
      v.add(Double.toString(((seed * 7 + d * 3) % 11) / 10.0 - 0.5));
    return "[" + String.join(",", v) + "]";
  }

  // ---- the valid request of every operation
  // --------------------------------------------------------

  /**
   * A valid request: its concrete path, query, JSON body ({@code null}: none) and the status it
   * gets.
   */
  private record Example(String path, String query, String body, int status) {}

  /**
   * One valid request per documented operation. An operation of the document without an entry here
   * fails the test: a new route cannot go unfuzzed. Users and items are the ones made above; routes
   * that destroy something get something of their own to destroy (fz-erasable, the victim key,
   * fz-user-2's links), so that the others keep their state.
   */
  private static Map<String, Example> examples() {
    String ts = Instant.ofEpochMilli(now).minusSeconds(3_600).toString();
    Map<String, Example> e = new LinkedHashMap<>();
    e.put(
        "POST /v1/items",
        new Example(
            "/v1/items",
            "",
            "{\"items\":[{\"id\":\"fz-new-0\",\"category\":\"c1\",\"tags\":[\"t1\",\"t2\"],\"createdAt\":\""
                + ts
                + "\",\"status\":\"active\","
                + "\"popularity\":3.5,\"embedding\":"
                + vector(3)
                + ",\"attributes\":{\"brand\":\"fz\",\"size\":2}}]}",
            200));
    e.put("GET /v1/items/popular", new Example("/v1/items/popular", "k=5&category=c1", null, 200));
    e.put("GET /v1/items/latest", new Example("/v1/items/latest", "k=5&category=c2", null, 200));
    e.put("GET /v1/items/{itemId}", new Example("/v1/items/fz-3", "", null, 200));
    e.put(
        "GET /v1/items/{itemId}/similar",
        new Example("/v1/items/fz-3/similar", "k=5&excludeSeenBy=fz-user", null, 200));
    e.put(
        "POST /v1/impressions",
        new Example(
            "/v1/impressions",
            "",
            "{\"userId\":\"fz-user-1\",\"itemIds\":[\"fz-11\",\"fz-12\"],\"surface\":\"home\",\"rankingId\":\"fz-r-1\",\"positions\":[0,1]}",
            202));
    e.put(
        "POST /v1/events",
        new Example(
            "/v1/events",
            "",
            "{\"events\":["
                + "{\"type\":\"click\",\"userId\":\"fz-user-0\",\"itemId\":\"fz-3\",\"ts\":\""
                + ts
                + "\",\"rankingId\":\"fz-r-1\",\"position\":2},"
                + "{\"type\":\"skip\",\"userId\":\"fz-user-1\",\"itemId\":\"fz-4\",\"intent\":\"not_interested\",\"ts\":"
                + (now - 60_000)
                + "},"
                + "{\"type\":\"dwell\",\"userId\":\"fz-user-0\",\"itemId\":\"fz-5\",\"value\":1200}]}",
            202));
    // without the WebSocket upgrade the route's answer is a 400 that says so
    e.put("GET /v1/stream", new Example("/v1/stream", "", null, 400));
    e.put(
        "GET /v1/users/{userId}/recommendations",
        new Example(
            "/v1/users/fz-user-0/recommendations",
            "k=5&category=c1&exclude=fz-1,fz-2&explain=true",
            null,
            200));
    e.put("GET /v1/users/{userId}/state", new Example("/v1/users/fz-user-0/state", "", null, 200));
    e.put(
        "PUT /v1/users/{userId}/persona",
        new Example(
            "/v1/users/fz-user-2/persona",
            "",
            "{\"categories\":[\"c1\",\"c2\"],\"tags\":[\"t1\"],\"vector\":" + vector(5) + "}",
            200));
    e.put(
        "PUT /v1/users/{userId}/consent",
        new Example("/v1/users/fz-user-1/consent", "", "{\"consent\":true}", 200));
    e.put(
        "GET /v1/users/{userId}/export", new Example("/v1/users/fz-user-0/export", "", null, 200));
    e.put("DELETE /v1/users/{userId}", new Example("/v1/users/fz-erasable", "", null, 200));
    e.put(
        "GET /v1/users/{userId}/history",
        new Example("/v1/users/fz-user-0/history", "limit=10", null, 200));
    e.put(
        "GET /v1/users/{userId}/replay",
        new Example("/v1/users/fz-user-0/replay", "k=3", null, 200));
    e.put(
        "GET /v1/users/{userId}/favorites",
        new Example("/v1/users/fz-user-0/favorites", "", null, 200));
    e.put(
        "PUT /v1/users/{userId}/favorites/{itemId}",
        new Example("/v1/users/fz-user-0/favorites/fz-7", "", null, 200));
    e.put(
        "DELETE /v1/users/{userId}/favorites/{itemId}",
        new Example("/v1/users/fz-user-1/favorites/fz-8", "", null, 200));
    e.put(
        "POST /v1/users/{userId}/favorites/share",
        new Example("/v1/users/fz-user-1/favorites/share", "", null, 201));
    e.put(
        "DELETE /v1/users/{userId}/favorites/share",
        new Example("/v1/users/fz-user-2/favorites/share", "", null, 200));
    e.put(
        "GET /v1/shared/favorites/{token}",
        new Example("/v1/shared/favorites/" + shareToken, "", null, 200));
    e.put("GET /v1/admin/keys", new Example("/v1/admin/keys", "", null, 200));
    e.put(
        "POST /v1/admin/keys",
        new Example("/v1/admin/keys", "", "{\"name\":\"fz key\",\"scopes\":[\"rank\"]}", 201));
    e.put(
        "DELETE /v1/admin/keys/{keyId}",
        new Example("/v1/admin/keys/" + victimKeyId, "", null, 200));
    e.put("GET /v1/admin/pool", new Example("/v1/admin/pool", "", null, 200));
    e.put("GET /v1/admin/cluster", new Example("/v1/admin/cluster", "", null, 200));
    e.put("GET /v1/admin/vectors", new Example("/v1/admin/vectors", "", null, 200));
    e.put("GET /v1/admin/models", new Example("/v1/admin/models", "", null, 200));
    e.put("POST /v1/admin/models/train", new Example("/v1/admin/models/train", "", null, 202));
    e.put("GET /v1/admin/pipelines", new Example("/v1/admin/pipelines", "", null, 200));
    e.put("GET /v1/admin/alerts", new Example("/v1/admin/alerts", "", null, 200));
    e.put(
        "GET /v1/admin/dashboard/activity",
        new Example("/v1/admin/dashboard/activity", "?range=7d", null, 200));
    e.put(
        "GET /v1/admin/dashboard/freshness",
        new Example("/v1/admin/dashboard/freshness", "?range=30d", null, 200));
    e.put(
        "GET /v1/admin/dashboard/metrics",
        new Example("/v1/admin/dashboard/metrics", "?range=6h", null, 200));
    // not an upgrade: the WebSocket endpoint says so (its protocol is tested in
    // AdminDashboardHttpTest)
    e.put("GET /v1/admin/feed", new Example("/v1/admin/feed", "", null, 400));
    e.put("GET /metrics", new Example("/metrics", "", null, 200));
    e.put("GET /health/alive", new Example("/health/alive", "", null, 200));
    e.put("GET /health/ready", new Example("/health/ready", "", null, 200));
    e.put("GET /v1/openapi.json", new Example("/v1/openapi.json", "", null, 200));
    return e;
  }

  /** Every operation of the served document, each with its valid request; fails for one without. */
  private static List<Operation> operations(JsonNode doc) {
    Map<String, Example> examples = examples();
    List<Operation> ops = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
        String key = method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
        Example example = examples.remove(key);
        if (example == null) missing.add(key);
        else ops.add(operation(doc, key, path.getKey(), method.getValue(), example));
      }
    }
    assertThat(missing)
        .as(
            "operations of /v1/openapi.json without a valid example in HostileInputFuzzTest.examples()")
        .isEmpty();
    assertThat(examples.keySet())
        .as("examples for operations the document no longer has")
        .isEmpty();
    return ops;
  }

  private static Operation operation(
      JsonNode doc, String key, String template, JsonNode op, Example example) {
    List<String> templateSegments = List.of(template.substring(1).split("/", -1));
    List<String> segments = List.of(example.path().substring(1).split("/", -1));
    assertThat(segments)
        .as(key + ": the example's path has the template's shape")
        .hasSameSizeAs(templateSegments);
    Map<String, Integer> params = new LinkedHashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      String t = templateSegments.get(i);
      if (t.startsWith("{")) params.put(t.substring(1, t.length() - 1), i);
      else
        assertThat(segments.get(i))
            .as(key + ": the example's path has the template's shape")
            .isEqualTo(t);
    }
    List<String> queryParams = new ArrayList<>();
    for (JsonNode p : op.path("parameters")) {
      JsonNode parameter = p.has("$ref") ? doc.at(p.get("$ref").asText().substring(1)) : p;
      if (parameter.path("in").asText().equals("query"))
        queryParams.add(parameter.path("name").asText());
    }
    JsonNode requestBody = op.path("requestBody");
    if (requestBody.has("$ref"))
      requestBody = doc.at(requestBody.get("$ref").asText().substring(1));
    assertThat(example.body() != null)
        .as(key + ": an example body exactly when the document has a requestBody")
        .isEqualTo(requestBody.isObject());
    JsonNode body = null;
    try {
      if (example.body() != null) body = Api.JSON.readTree(example.body());
    } catch (IOException e) {
      throw new IllegalStateException(key + ": the example body is not JSON", e);
    }
    String scope = op.path("x-freshet-scope").asText(null);
    return new Operation(
        key,
        key.substring(0, key.indexOf(' ')),
        template,
        segments,
        params,
        queryParams,
        example.query(),
        body,
        requestBody.path("content").has("text/plain"),
        scope,
        example.status());
  }

  // ---- the fuzz
  // ------------------------------------------------------------------------------------

  @Test
  void hostileRequestsToEveryDocumentedRouteAreRefusedCleanlyAndChangeNothing() {
    long seed = Long.getLong("freshet.fuzz.seed", DEFAULT_SEED);
    // 30 s of cases (the last may run into its read timeout), plus 15-22 s to start PostgreSQL and
    // the
    // node, set up and stop (more on a loaded machine), and a few seconds of checks after: the
    // whole test
    // class stays under a minute
    int seconds = Integer.getInteger("freshet.fuzz.seconds", 30);
    int maxCases = Integer.getInteger("freshet.fuzz.cases", 20_000);
    System.out.printf(
        "HostileInputFuzzTest: seed %d (replay with -Dfreshet.fuzz.seed=%d), budget %d s, at most %d cases%n",
        seed, seed, seconds, maxCases);

    Api.Response served = new Api(node.node()).get("/v1/openapi.json");
    assertThat(served.status()).isEqualTo(200);
    List<Operation> ops = operations(served.body());
    Report report = new Report(seed);
    HostileRequests corpus =
        new HostileRequests(
            port(),
            keys,
            seed,
            now,
            Api.ids("fz-", 0, ITEMS),
            HostileInputFuzzTest::inCatalog,
            signature -> report.failures(signature) >= QUARANTINE_AFTER);
    everyValidRequestIsServed(ops, corpus);

    // thousands of lines about refused requests (ours and the HTTP parser's) would cost more than
    // the cases
    var access = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.freshet.http.access");
    var parser =
        (ch.qos.logback.classic.Logger)
            LoggerFactory.getLogger("org.apache.pekko.actor.ActorSystemImpl");
    var accessLevel = access.getLevel();
    var parserLevel = parser.getLevel();
    access.setLevel(ch.qos.logback.classic.Level.ERROR);
    parser.setLevel(ch.qos.logback.classic.Level.ERROR);
    try {
      run(ops, corpus, report, seconds, maxCases);
    } finally {
      access.setLevel(accessLevel);
      parser.setLevel(parserLevel);
    }
    theNodeStillServes(report);

    System.out.println(report.summary());
    assertThat(report.violations()).as(report.violationSummary()).isEmpty();
  }

  /**
   * The oracle trusts {@link RawHttp}: a client that misread a response would report defects the
   * server does not have. So it reads canned responses of every framing from a local socket first.
   */
  @Test
  void theRawClientReadsResponsesByTheBook() throws Exception {
    byte[] get = RawHttp.ascii("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    RawHttp.Response length =
        canned("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", get, false, 2_000);
    assertThat(length.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(length.bodyText()).isEqualTo("hello");
    assertThat(length.trailing()).isEmpty();

    RawHttp.Response chunked =
        canned(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-T: 1\r\n\r\n",
            get,
            false,
            2_000);
    assertThat(chunked.bodyText()).isEqualTo("hello");
    assertThat(chunked.trailing()).isEmpty();

    RawHttp.Response untilClose =
        canned(
            "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nno length",
            get,
            false,
            2_000);
    assertThat(untilClose.status()).isEqualTo(400);
    assertThat(untilClose.bodyText()).isEqualTo("no length");

    RawHttp.Response continued =
        canned(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
            get,
            false,
            2_000);
    assertThat(continued.status()).isEqualTo(201);

    RawHttp.Response head =
        canned("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 9\r\n\r\n", get, true, 2_000);
    assertThat(head.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(head.body()).isEmpty();
    assertThat(head.trailing()).isEmpty();

    RawHttp.Response twice =
        canned(
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb",
            get,
            false,
            2_000);
    assertThat(twice.bodyText()).isEqualTo("a");
    assertThat(new String(twice.trailing(), StandardCharsets.ISO_8859_1))
        .startsWith("HTTP/1.1 200");

    assertThat(
            canned("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", get, false, 2_000)
                .outcome())
        .isEqualTo(Outcome.CLOSED);
    assertThat(canned("", get, false, 2_000).outcome()).isEqualTo(Outcome.CLOSED);
    assertThat(canned("SSH-2.0-OpenSSH\r\n\r\n", get, false, 2_000).outcome())
        .isEqualTo(Outcome.MALFORMED);
    assertThat(canned(null, get, false, 500).outcome()).isEqualTo(Outcome.TIMED_OUT);
  }

  /**
   * One exchange with a local server that reads the request head, sends {@code response} and closes
   * ({@code null}: sends nothing and keeps the connection open).
   */
  private static RawHttp.Response canned(
      String response, byte[] request, boolean head, int timeoutMillis) throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread serving =
          new Thread(
              () -> {
                try (Socket socket = server.accept()) {
                  var in = socket.getInputStream();
                  int matched = 0;
                  while (matched < 4) {
                    int b = in.read();
                    if (b < 0) return;
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                  }
                  if (response == null) {
                    Thread.sleep(timeoutMillis + 1_000L);
                    return;
                  }
                  socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                  socket.getOutputStream().flush();
                } catch (IOException | InterruptedException e) {
                  // the client gave up first: that is what the timeout case wants
                }
              });
      serving.setDaemon(true);
      serving.start();
      return RawHttp.exchange(server.getLocalPort(), request, head, false, timeoutMillis);
    }
  }

  /** The fuzz is only as good as its starting points: every valid request must get its status. */
  private static void everyValidRequestIsServed(List<Operation> ops, HostileRequests corpus) {
    List<String> refused = new ArrayList<>();
    for (Operation op : ops) {
      RawHttp.Response r =
          RawHttp.exchange(port(), corpus.valid(op).bytes(), false, false, READ_TIMEOUT_MILLIS);
      if (r.outcome() != Outcome.ANSWERED || !sameClass(r.status(), op.validStatus())) {
        refused.add(
            op.key()
                + " -> "
                + r.outcome()
                + " "
                + r.statusLine()
                + " "
                + abbreviate(r.bodyText(), 300));
      }
    }
    assertThat(refused)
        .as("valid requests that the node does not serve (the fuzz's starting points)")
        .isEmpty();
  }

  private static void run(
      List<Operation> ops, HostileRequests corpus, Report report, int seconds, int maxCases) {
    long start = System.nanoTime();
    long deadline = start + seconds * 1_000_000_000L;
    Fingerprint before = Fingerprint.take();
    for (int n = 1; n <= maxCases; n++) {
      if (System.nanoTime() > deadline)
        break; // the last case may still take up to its read timeout
      long t0 = System.nanoTime();
      Case c = corpus.next(n, ops);
      long t1 = System.nanoTime();
      RawHttp.Response r =
          RawHttp.exchange(port(), c.bytes(), c.head(), c.halfClose(), READ_TIMEOUT_MILLIS);
      long t2 = System.nanoTime();
      List<Problem> problems = new ArrayList<>(judge(c, r, report));
      boolean served = r.outcome() == Outcome.ANSWERED && r.status() >= 200 && r.status() < 300;
      // after a timeout, or an answer that took long (a 503 after the ask timeout), the node may
      // still be
      // working on the request: let the state settle before comparing
      boolean troubled =
          (r.outcome() != Outcome.ANSWERED && !c.mayClose())
              || r.status() == 503
              || r.millis() > 1_000;
      Fingerprint after = troubled ? Fingerprint.settled() : Fingerprint.take();
      report.time(t1 - t0, t2 - t1, System.nanoTime() - t2);
      if (!served && !after.equals(before)) {
        problems.add(
            new Problem("a refused request changed state", "changed: " + before.diff(after)));
      }
      before = after;
      report.record(c, r, problems);
      if ((troubled || r.status() >= 500) && !alive()) {
        report.record(
            c,
            r,
            List.of(
                new Problem(
                    "the node stopped answering",
                    "GET /health/alive failed for 15 s after this case")));
        break;
      }
      if (n % READINESS_EVERY == 0 && !ready()) {
        report.record(
            c,
            r,
            List.of(
                new Problem(
                    "the node is not ready",
                    "GET /health/ready did not answer 200 after case " + n)));
      }
    }
    report.finish((System.nanoTime() - start) / 1_000_000);
  }

  /** The answer-level oracle: what a response to this case may and may not be. */
  private static List<Problem> judge(Case c, RawHttp.Response r, Report report) {
    List<Problem> problems = new ArrayList<>();
    switch (r.outcome()) {
      case TIMED_OUT -> {
        problems.add(
            new Problem("no answer within " + READ_TIMEOUT_MILLIS / 1000 + " s", r.problem()));
        return problems;
      }
      case MALFORMED -> {
        problems.add(new Problem("a malformed response", r.problem()));
        return problems;
      }
      case CLOSED -> {
        if (!c.mayClose())
          problems.add(new Problem("connection closed without an answer", r.problem()));
        return problems;
      }
      case ANSWERED -> {}
    }
    int status = r.status();
    boolean edge = r.header("X-Request-Id").isPresent();
    if (status >= 500 && knownUpstream500(c, r)) {
      report.observe(
          "Pekko's own 500 for HTTP/1.0 with a chunked body (nothing ran)", c, r.statusLine());
    } else if (status >= 500) {
      // the parser's answers come before any route: a different fix (its error handler), so a
      // different group
      String from = edge ? "5xx from the edge" : "5xx from Pekko's HTTP parser, before the edge";
      problems.add(new Problem(from, r.statusLine() + " " + abbreviate(r.bodyText(), 300)));
    }
    expectation(c, r).ifPresent(problems::add);
    if (edge) problems.addAll(edgeAnswer(c, r, report));
    else if (status >= 400 && status < 500) report.parserAnswer(c, r);
    if (c.foreignOrigin()
        && !CORS_ORIGINS.equals("*")
        && r.header("Access-Control-Allow-Origin").isPresent()) {
      problems.add(
          new Problem(
              "a foreign origin allowed by CORS",
              "Access-Control-Allow-Origin: " + r.header("Access-Control-Allow-Origin").get()));
    }
    if (r.trailing().length > 0) {
      String trailing = new String(r.trailing(), StandardCharsets.ISO_8859_1);
      String type =
          trailing.contains("fz-smuggled-")
              ? "a hidden (smuggled) request was served"
              : c.head()
                  ? "a body in the answer to HEAD"
                  : "bytes after the response on a Connection: close exchange";
      problems.add(new Problem(type, abbreviate(trailing, 400)));
    }
    return problems;
  }

  private static Optional<Problem> expectation(Case c, RawHttp.Response r) {
    if (c.expect() == Expect.AS_VALID && !sameClass(r.status(), c.op().validStatus())) {
      return Optional.of(
          new Problem(
              "a valid variant refused",
              "answered "
                  + r.statusLine()
                  + " where the valid request gets "
                  + c.op().validStatus()
                  + ": "
                  + abbreviate(r.bodyText(), 300)));
    }
    if (c.expect() == Expect.REFUSED && r.status() >= 200 && r.status() < 300) {
      return Optional.of(
          new Problem(
              "a value the contract forbids accepted",
              "answered " + r.statusLine() + ": " + abbreviate(r.bodyText(), 200)));
    }
    if (c.expect() == Expect.SUCCESS && (r.status() < 200 || r.status() >= 300)) {
      return Optional.of(
          new Problem(
              "a valid variant refused",
              "answered " + r.statusLine() + ": " + abbreviate(r.bodyText(), 300)));
    }
    return Optional.empty();
  }

  /** The error JSON's code, or "" when the answer holds none. */
  private static String errorCode(RawHttp.Response r) {
    try {
      return Api.JSON.readTree(r.body()).path("error").path("code").asText("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Our edge answered (it sets X-Request-Id): the error JSON, the trace id and the security
   * headers.
   */
  private static List<Problem> edgeAnswer(Case c, RawHttp.Response r, Report report) {
    List<Problem> problems = new ArrayList<>();
    String requestId = r.header("X-Request-Id").orElseThrow();
    // the parser refuses a HEAD with a body with 422, whose (bodiless) answer cannot show its code
    boolean unread = UNREAD_CODES.contains(errorCode(r)) || (c.head() && r.status() == 422);
    if (c.canary() != null && !c.canary().equals(requestId) && !unread) {
      problems.add(
          new Problem(
              "header lines lost (the X-Request-Id sent last was not seen)",
              "answered with X-Request-Id " + requestId));
    }
    if (r.header("X-Content-Type-Options").isEmpty())
      problems.add(new Problem("security headers missing", r.statusLine()));
    if (r.status() < 400 || c.head())
      return problems; // the answer to a HEAD has no body to hold the error JSON
    JsonNode error;
    try {
      error = Api.JSON.readTree(r.body()).path("error");
    } catch (IOException e) {
      error = Api.JSON.missingNode();
    }
    boolean json = r.header("Content-Type").orElse("").startsWith("application/json");
    if (!json
        || !error.path("code").isTextual()
        || !error.path("message").isTextual()
        || !error.path("traceId").isTextual()) {
      problems.add(
          new Problem(
              "an error without the error JSON",
              r.statusLine() + " " + abbreviate(r.bodyText(), 300)));
      return problems;
    }
    String code = error.path("code").asText();
    String message = error.path("message").asText();
    String field = error.path("field").asText("");
    if (!error.path("traceId").asText().equals(requestId)) {
      problems.add(
          new Problem(
              "the error's traceId differs from X-Request-Id",
              error.path("traceId").asText() + " vs " + requestId));
    }
    if (FIELD_CODES.contains(code) && field.isEmpty()) {
      problems.add(
          new Problem("an error without its field", code + ": " + abbreviate(message, 200)));
    }
    Matcher leak = LEAK.matcher(message);
    if (leak.find())
      problems.add(
          new Problem("an error message naming implementation classes", abbreviate(message, 300)));
    if (!field.isEmpty()
        && c.jsonPath() != null
        && (code.equals("invalid_field") || code.equals("unknown_item"))
        && !related(field, c.jsonPath())) {
      report.observe(
          "field named differs from the field mutated",
          c,
          "mutated " + c.jsonPath() + ", error names " + field + ": " + abbreviate(message, 160));
    }
    return problems;
  }

  /**
   * The error's field is the mutated one, one inside it or one containing it ({@code body} contains
   * all).
   */
  static boolean related(String field, String mutated) {
    return field.equals("body") || isWithin(field, mutated) || isWithin(mutated, field);
  }

  private static boolean isWithin(String path, String prefix) {
    return path.startsWith(prefix)
        && (path.length() == prefix.length()
            || path.charAt(prefix.length()) == '.'
            || path.charAt(prefix.length()) == '[');
  }

  /** The same status class when the valid request gets a 2xx; otherwise exactly the same status. */
  private static boolean sameClass(int status, int valid) {
    return valid >= 200 && valid < 300 ? status >= 200 && status < 300 : status == valid;
  }

  // ---- after the run
  // -----------------------------------------------------------------------------

  private static void theNodeStillServes(Report report) {
    List<String> wrong = new ArrayList<>();
    if (!ready()) wrong.add("GET /health/ready is not 200");
    Api ingest = new Api(node.node()).withKey(keys.byScope().get("ingest"));
    Api.Response recorded =
        ingest.post("/v1/impressions", Api.impressions("fz-final", List.of("fz-40", "fz-41")));
    if (recorded.status() != 202)
      wrong.add("a normal impressions batch got " + recorded.status() + " " + recorded.body());
    Api.Response ranked =
        new Api(node.node())
            .withKey(keys.byScope().get("rank"))
            .get("/v1/users/fz-final/recommendations?k=20");
    if (ranked.status() != 200)
      wrong.add("a normal ranking got " + ranked.status() + " " + ranked.body());
    else if (Api.rankedIds(ranked).contains("fz-40") || Api.rankedIds(ranked).size() != 20) {
      wrong.add("a normal ranking is wrong: " + Api.rankedIds(ranked));
    }
    wrong.addAll(failingPipelines());
    report.afterRun(wrong);
  }

  /**
   * Read-model projections that still fail a few seconds after the run: an accepted event that a
   * projection cannot write stops it for good (it retries the same batch forever).
   */
  private static List<String> failingPipelines() {
    List<String> failing = new ArrayList<>();
    long until = System.nanoTime() + 4_000_000_000L; // the monitor samples every 2 s
    do {
      failing.clear();
      for (JsonNode p : admin.get("/v1/admin/pipelines").body().path("pipelines")) {
        if (!p.path("healthy").asBoolean(true)) {
          failing.add(
              "read-model pipeline "
                  + p.path("projection").asText()
                  + "/"
                  + p.path("tag").asText()
                  + " keeps failing: "
                  + abbreviate(p.path("lastError").path("message").asText(), 300));
        }
      }
      if (failing.isEmpty()) return failing;
      sleep(1_000);
    } while (System.nanoTime() < until);
    return failing;
  }

  private static boolean inCatalog(String itemId) {
    try (Connection c = node.node().database().dataSource().getConnection();
        var s = c.prepareStatement("SELECT 1 FROM items WHERE id = ?")) {
      s.setString(1, itemId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot look up item " + itemId, e);
    }
  }

  private static boolean alive() {
    long until = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < until) {
      if (get("/health/alive") == 200) return true;
      sleep(500);
    }
    return false;
  }

  private static boolean ready() {
    return get("/health/ready") == 200;
  }

  private static int get(String path) {
    byte[] request =
        RawHttp.ascii("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    RawHttp.Response r = RawHttp.exchange(port(), request, false, false, 3_000);
    return r.outcome() == Outcome.ANSWERED ? r.status() : -1;
  }

  private static int port() {
    return node.node().httpPort();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** At most {@code max} characters; the report escapes what it prints. */
  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  // ---- what a refused request must not change
  // ----------------------------------------------------

  /**
   * A cheap fingerprint of everything a request can change, read from PostgreSQL: every user's
   * journal (which holds seen sets, consent, favourites, personas: entities change only through
   * it), the catalog, the API keys, the favourite links and the idempotency keys. Read models are
   * left out: they follow the journal asynchronously; so is the pool coordinator's journal, which
   * records what users reported on a timer of its own.
   */
  record Fingerprint(String journal, String items, String keys, String shares, String idempotency) {

    private static final String SQL =
        "SELECT (SELECT count(*) || ' rows up to ' || coalesce(max(ordering), 0) FROM event_journal"
            + " WHERE persistence_id LIKE 'User|%'),"
            + " (SELECT count(*) || ' ' || md5(coalesce(string_agg(i::text, '|' ORDER BY i.id), '')) FROM items i),"
            + " (SELECT count(*) || ' ' || md5(coalesce(string_agg(k::text, '|' ORDER BY k.id), '')) FROM api_keys k),"
            + " (SELECT count(*) || ' ' || md5(coalesce(string_agg(s::text, '|' ORDER BY s.token_sha256), '')) FROM favorite_shares s),"
            + " (SELECT count(*) || ' ' || md5(coalesce(string_agg(q.owner || ' ' || q.key || ' ' || coalesce(q.status::text, '-'), '|'"
            + " ORDER BY q.owner, q.key), '')) FROM idempotency_keys q)";

    static Fingerprint take() {
      try (Connection c = node.node().database().dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(SQL)) {
        rs.next();
        return new Fingerprint(
            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the state fingerprint", e);
      }
    }

    /** The fingerprint once it has not moved for 300 ms (at most 3 s). */
    static Fingerprint settled() {
      Fingerprint last = take();
      for (int i = 0; i < 10; i++) {
        sleep(300);
        Fingerprint next = take();
        if (next.equals(last)) return next;
        last = next;
      }
      return last;
    }

    String diff(Fingerprint other) {
      List<String> changed = new ArrayList<>();
      if (!journal.equals(other.journal))
        changed.add("journal " + journal + " -> " + other.journal);
      if (!items.equals(other.items)) changed.add("catalog items " + items + " -> " + other.items);
      if (!keys.equals(other.keys)) changed.add("api keys " + keys + " -> " + other.keys);
      if (!shares.equals(other.shares))
        changed.add("favourite links " + shares + " -> " + other.shares);
      if (!idempotency.equals(other.idempotency))
        changed.add("idempotency keys " + idempotency + " -> " + other.idempotency);
      return String.join("; ", changed);
    }
  }

  // ---- the report
  // ----------------------------------------------------------------------------------

  /** One thing wrong with one answer: {@code type} groups it in the report. */
  record Problem(String type, String detail) {}

  /** A problem with the case that showed it first and how often its signature showed it. */
  private static final class Finding {
    final Problem problem;
    final Case example;
    final RawHttp.Response response;
    final Set<String> routes = new TreeSet<>();
    int count;

    Finding(Problem problem, Case example, RawHttp.Response response) {
      this.problem = problem;
      this.example = example;
      this.response = response;
    }
  }

  /** Counts of everything sent and answered, and every violation grouped by type and signature. */
  private static final class Report {
    static final Path TRACE = Path.of("target", "hostile-input-fuzz-cases.tsv");
    private final long seed;
    private int cases;
    private long millis;
    private final Map<String, Integer> byRoute = new TreeMap<>();
    private final Map<String, Integer> byKind = new TreeMap<>();
    private final Map<String, Integer> byStatus = new TreeMap<>();
    private final Map<String, Integer> failuresBySignature = new HashMap<>();

    /** type -> signature -> finding */
    private final Map<String, Map<String, Finding>> violations = new TreeMap<>();

    private final Map<String, Map<String, Finding>> observations = new TreeMap<>();
    private final Map<String, Map<String, Finding>> parserAnswers = new TreeMap<>();
    private final List<String> afterRun = new ArrayList<>();
    private final Map<Kind, Integer> violatingByKind = new TreeMap<>();

    /** One line per case, written to {@link #TRACE}: what was sent and what came back. */
    private final List<String> trace = new ArrayList<>();

    private long generating;
    private long exchanging;
    private long checking;

    Report(long seed) {
      this.seed = seed;
    }

    int failures(String signature) {
      return failuresBySignature.getOrDefault(signature, 0);
    }

    void record(Case c, RawHttp.Response r, List<Problem> problems) {
      trace.add(
          String.join(
              "\t",
              Integer.toString(c.number()),
              c.kind().name(),
              c.op().key(),
              escape(c.mutation() + (c.note().isEmpty() ? "" : " " + c.note()), 100),
              r.outcome() == Outcome.ANSWERED ? Integer.toString(r.status()) : r.outcome().name(),
              Long.toString(r.millis()),
              problems.isEmpty()
                  ? "ok"
                  : String.join("; ", problems.stream().map(Problem::type).toList())));
      if (problems.stream().noneMatch(p -> p.type().startsWith("the node"))) {
        cases++;
        byRoute.merge(c.op().key(), 1, Integer::sum);
        byKind.merge(c.kind().name(), 1, Integer::sum);
        String status =
            r.outcome() == Outcome.ANSWERED
                ? Integer.toString(r.status())
                : r.outcome().name().toLowerCase(Locale.ROOT);
        byStatus.merge(status, 1, Integer::sum);
      }
      if (!problems.isEmpty()) {
        failuresBySignature.merge(c.signature(), 1, Integer::sum);
        violatingByKind.merge(c.kind(), 1, Integer::sum);
      }
      for (Problem p : problems) add(violations, p, c, r);
    }

    void parserAnswer(Case c, RawHttp.Response r) {
      add(parserAnswers, new Problem(r.statusLine(), ""), c, r);
    }

    void observe(String type, Case c, String detail) {
      add(observations, new Problem(type, detail), c, null);
    }

    /** Grouped by type, then by mutation across routes: one defect usually shows on many routes. */
    private static void add(
        Map<String, Map<String, Finding>> into, Problem p, Case c, RawHttp.Response r) {
      Finding f =
          into.computeIfAbsent(p.type(), t -> new TreeMap<>())
              .computeIfAbsent(group(c), s -> new Finding(p, c, r));
      f.count++;
      f.routes.add(c.op().key());
    }

    /** The signature without its route. */
    private static String group(Case c) {
      return c.signature().replace(" " + c.op().key() + " | ", " | ");
    }

    void time(long generatingNanos, long exchangingNanos, long checkingNanos) {
      generating += generatingNanos;
      exchanging += exchangingNanos;
      checking += checkingNanos;
    }

    void finish(long millis) {
      this.millis = millis;
      try {
        Files.createDirectories(TRACE.getParent());
        Files.write(TRACE, trace, StandardCharsets.UTF_8);
      } catch (IOException e) {
        System.out.println("could not write " + TRACE + ": " + e);
      }
    }

    void afterRun(List<String> wrong) {
      afterRun.addAll(wrong);
    }

    List<String> violations() {
      List<String> all = new ArrayList<>();
      violations.forEach(
          (type, byGroup) -> byGroup.keySet().forEach(g -> all.add(type + ": " + g)));
      afterRun.forEach(w -> all.add("after the run: " + w));
      return all;
    }

    String summary() {
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              "%n==== HostileInputFuzzTest: %d cases in %.1f s, seed %d ====%n",
              cases, millis / 1000.0, seed));
      out.append("every case: ").append(TRACE.toAbsolutePath()).append('\n');
      out.append(
          String.format(
              "time: generating %.1f s, on the socket %.1f s, checking answers and state %.1f s%n",
              generating / 1e9, exchanging / 1e9, checking / 1e9));
      out.append("cases by route:  ").append(byRoute).append('\n');
      out.append("cases by kind:   ").append(byKind).append('\n');
      out.append("answers:         ").append(byStatus).append('\n');
      out.append("violating cases by kind: ").append(violatingByKind).append('\n');
      int parser =
          parserAnswers.values().stream()
              .flatMap(m -> m.values().stream())
              .mapToInt(f -> f.count)
              .sum();
      out.append(
          String.format(
              "%nRefused by Pekko's HTTP parser before the edge (plain text, no error JSON, not counted as violations): %d%n",
              parser));
      parserAnswers.forEach(
          (status, bySignature) -> {
            out.append("  ").append(status).append(": ");
            out.append(
                String.join(
                    "; ",
                    bySignature.entrySet().stream()
                        .limit(20)
                        .map(e -> e.getKey() + " ×" + e.getValue().count)
                        .toList()));
            if (bySignature.size() > 20)
              out.append("; … (").append(bySignature.size()).append(" mutations)");
            out.append('\n');
          });
      if (!observations.isEmpty()) {
        out.append("\nObservations (not violations):\n");
        observations.forEach(
            (type, bySignature) -> {
              out.append("  ")
                  .append(type)
                  .append(" (")
                  .append(bySignature.size())
                  .append(" mutations)\n");
              bySignature.values().stream()
                  .limit(15)
                  .forEach(
                      f ->
                          out.append("    ")
                              .append(f.example.signature())
                              .append(" — ")
                              .append(escape(f.problem.detail(), 300))
                              .append('\n'));
            });
      }
      out.append(violationSummary(true));
      return out.toString();
    }

    /** The first case of a finding: its request (abbreviated) and what came back. */
    private static String repro(Finding f) {
      String answer =
          f.response == null
              ? ""
              : f.response.outcome() == Outcome.ANSWERED
                  ? f.response.statusLine() + " " + escape(f.response.bodyText(), 200)
                  : f.response.outcome() + " after " + f.response.millis() + " ms";
      return "case "
          + f.example.number()
          + ": "
          + escape(new String(f.example.bytes(), StandardCharsets.ISO_8859_1), 600)
          + "\n    -> "
          + answer;
    }

    String violationSummary() {
      return violationSummary(false);
    }

    /**
     * {@code verbose}: with a request and answer for every group (the printed report; the
     * assertion's is shorter).
     */
    String violationSummary(boolean verbose) {
      StringBuilder out = new StringBuilder();
      List<String> all = violations();
      out.append(
          String.format("%nViolations: %d groups (type | mutation), seed %d%n", all.size(), seed));
      violations.forEach(
          (type, bySignature) -> {
            int count = bySignature.values().stream().mapToInt(f -> f.count).sum();
            out.append(
                String.format(
                    "%n## %s — %d cases, %d mutations%n", type, count, bySignature.size()));
            for (Finding f : bySignature.values()) {
              String routes =
                  f.routes.size() == 1 ? f.routes.iterator().next() : f.routes.size() + " routes";
              String note = f.example.note().isEmpty() ? "" : " (first: " + f.example.note() + ")";
              out.append(
                  String.format(
                      "- %s%s ×%d on %s: %s%n",
                      group(f.example), note, f.count, routes, escape(f.problem.detail(), 300)));
              if (verbose) out.append("    ").append(repro(f)).append('\n');
            }
          });
      afterRun.forEach(w -> out.append("after the run: ").append(w).append('\n'));
      return out.toString();
    }

    /**
     * Printable: control and non-ASCII characters escaped, long runs of one character shortened.
     */
    static String escape(String s, int max) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        int run = 1;
        while (i + run < s.length() && s.charAt(i + run) == ch) run++;
        if (run > 12) {
          out.append(token(ch)).append("…×").append(run);
          i += run - 1;
          continue;
        }
        out.append(token(ch));
      }
      String all = out.toString();
      return all.length() <= max
          ? all
          : all.substring(0, max * 2 / 3) + " … " + all.substring(all.length() - max / 3);
    }

    private static String token(char ch) {
      if (ch == '\r') return "\\r";
      if (ch == '\n') return "\\n";
      if (ch == '\\') return "\\\\";
      if (ch >= 0x20 && ch < 0x7f) return String.valueOf(ch);
      return ch <= 0xff ? String.format("\\x%02X", (int) ch) : String.format("\\u%04X", (int) ch);
    }
  }
}
