package dev.freshet.bench.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The naive design Freshet replaces, as a benchmark baseline: a plain JVM HTTP server (the JDK's
 * {@link HttpServer}, a fixed pool of handler threads) in front of PostgreSQL through HikariCP. It
 * serves the subset of Freshet's API (shared/API.md) that the load generator uses, with the same
 * paths and JSON shapes, so the same workloads run against it unchanged:
 *
 * <ul>
 *   <li>{@code POST /v1/impressions}: one {@code INSERT … SELECT unnest … ON CONFLICT DO NOTHING}
 *       per batch, {@code 202 {"recorded","duplicates"}} once committed;
 *   <li>{@code GET /v1/users/{id}/recommendations?k=N}: one query, the top-k active items by
 *       popularity that the user has not seen;
 *   <li>{@code POST /v1/items}, {@code POST /v1/events}, {@code GET /v1/items/{id}}, {@code GET
 *       /v1/users/{id}/state}, {@code GET /health/ready|alive}: what the rank-spec setup and the
 *       load generator's checks call.
 * </ul>
 *
 * Bad input is a 400 with API.md's error body, never a 500. Run it with {@code java -cp
 * bench/target/freshet-bench.jar dev.freshet.bench.baseline.BaselineService --port 8090 [--db-url
 * jdbc:postgresql://…]}; without a URL it starts an embedded PostgreSQL of its own.
 */
public final class BaselineService implements AutoCloseable {

  static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  static final int MAX_IDS = 1_000;
  static final int MAX_ITEMS = 1_000;
  static final int MAX_EVENTS = 1_000;
  static final int MAX_INGEST_BODY = 64 * 1024;
  static final int MAX_BODY = 8 * 1024 * 1024;
  static final int MAX_K = 200;
  static final Set<String> EVENT_TYPES =
      Set.of(
          "impression",
          "click",
          "like",
          "dislike",
          "skip",
          "favorite",
          "share",
          "purchase",
          "dwell");
  static final Set<String> STATUSES = Set.of("active", "archived", "flagged");

  static final String USAGE =
      String.join(
          "\n",
          "usage: java -cp bench/target/freshet-bench.jar dev.freshet.bench.baseline.BaselineService"
              + " [options]",
          "  --port N           HTTP port (default 8090; 0 picks a free one)",
          "  --db-url URL       JDBC URL of the PostgreSQL to use (default: start an embedded one)",
          "  --db-user U        (default postgres)",
          "  --db-password P    (default empty)",
          "  --schema S         schema of the baseline's tables (default baseline)",
          "  --pool-size N      HikariCP connections (default 16)",
          "  --threads N        HTTP handler threads (default: the pool size)",
          "  --data-dir DIR     embedded PostgreSQL's data (default: a temporary directory)");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Settings of one baseline service. */
  record Options(
      int port,
      String dbUrl,
      String dbUser,
      String dbPassword,
      String schema,
      int poolSize,
      int threads,
      Path dataDir) {

    static Options parse(String[] args) {
      int port = 8090;
      String url = null;
      String user = "postgres";
      String password = "";
      String schema = "baseline";
      int poolSize = 16;
      Integer threads = null;
      Path dataDir = null;
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("--help") || name.equals("-h")) {
          throw new IllegalArgumentException("help");
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        String value = args[++i];
        switch (name) {
          case "--port" -> port = Integer.parseInt(value);
          case "--db-url" -> url = value.isBlank() ? null : value;
          case "--db-user" -> user = value;
          case "--db-password" -> password = value;
          case "--schema" -> schema = value;
          case "--pool-size" -> poolSize = Integer.parseInt(value);
          case "--threads" -> threads = Integer.parseInt(value);
          case "--data-dir" -> dataDir = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + name);
        }
      }
      if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("--schema must be a lower-case SQL identifier");
      }
      if (poolSize < 1 || (threads != null && threads < 1)) {
        throw new IllegalArgumentException("--pool-size and --threads must be positive");
      }
      return new Options(
          port,
          url,
          user,
          password,
          schema,
          poolSize,
          threads == null ? poolSize : threads,
          dataDir);
    }
  }

  /** A client error: answered with its status and API.md's error body. */
  static final class BadRequest extends Exception {
    final int status;
    final String code;
    final String field;

    BadRequest(int status, String code, String field, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.field = field;
    }

    static BadRequest invalid(String field, String message) {
      return new BadRequest(400, "invalid_request", field, message);
    }
  }

  private final EmbeddedPostgres embedded;
  private final BaselineStore store;
  private final HttpServer server;
  private final ExecutorService handlers;

  private BaselineService(
      EmbeddedPostgres embedded, BaselineStore store, HttpServer server, ExecutorService handlers) {
    this.embedded = embedded;
    this.store = store;
    this.server = server;
    this.handlers = handlers;
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().equals("help")) {
        System.err.println("error: " + e.getMessage());
      }
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    BaselineService service = start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "baseline-shutdown"));
    System.out.printf(
        "baseline service on port %d (%d handler threads, %d connections, schema %s of PostgreSQL"
            + " %s at %s)%n",
        service.port(),
        options.threads(),
        options.poolSize(),
        options.schema(),
        service.store.serverVersion(),
        options.dbUrl() == null ? "embedded PostgreSQL " + service.jdbcUrl() : options.dbUrl());
    Thread.currentThread().join();
  }

  /** Starts the service (and an embedded PostgreSQL if {@code options.dbUrl()} is null). */
  public static BaselineService start(Options options) throws IOException, SQLException {
    // The JDK server leaves Nagle on by default; small keep-alive answers would then wait for the
    // client's delayed ACK (~40 ms). Freshet's server sets TCP_NODELAY, so the baseline does too.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    EmbeddedPostgres embedded = null;
    String url = options.dbUrl();
    String user = options.dbUser();
    String password = options.dbPassword();
    BaselineStore store = null;
    try {
      if (url == null) {
        embedded = startEmbedded(options.dataDir());
        url = embedded.getJdbcUrl("postgres", "postgres");
        user = "postgres";
        password = "";
      }
      store = new BaselineStore(url, user, password, options.schema(), options.poolSize());
      HttpServer server = HttpServer.create(new InetSocketAddress(options.port()), 1024);
      ExecutorService handlers =
          Executors.newFixedThreadPool(
              options.threads(),
              r -> {
                Thread t = new Thread(r, "baseline-http");
                t.setDaemon(true);
                return t;
              });
      server.setExecutor(handlers);
      BaselineService service = new BaselineService(embedded, store, server, handlers);
      server.createContext("/", service::handle);
      server.start();
      return service;
    } catch (IOException | SQLException | RuntimeException e) {
      if (store != null) store.close();
      if (embedded != null) embedded.close();
      throw e;
    }
  }

  /**
   * The same settings as Freshet's embedded PostgreSQL ({@code EmbeddedDatabase}): durable commits.
   */
  private static EmbeddedPostgres startEmbedded(Path dataDir) throws IOException {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("max_connections", "200");
    if (dataDir != null) {
      Files.createDirectories(dataDir);
      builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
    }
    return builder.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The embedded server's JDBC URL, or null when an external database is used. */
  public String jdbcUrl() {
    return embedded == null ? null : embedded.getJdbcUrl("postgres", "postgres");
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
    store.close();
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        System.err.println("embedded PostgreSQL did not stop cleanly: " + e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  private void handle(HttpExchange exchange) throws IOException {
    int status;
    JsonNode answer;
    try {
      Map.Entry<Integer, JsonNode> result = route(exchange);
      status = result.getKey();
      answer = result.getValue();
    } catch (BadRequest e) {
      status = e.status;
      answer = error(e.code, e.getMessage(), e.field);
    } catch (SQLException e) {
      status = 503;
      answer = error("unavailable", "database: " + e.getMessage(), null);
    } catch (RuntimeException e) {
      status = 500;
      answer = error("internal", String.valueOf(e), null);
    }
    byte[] body = JSON.writeValueAsBytes(answer);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private Map.Entry<Integer, JsonNode> route(HttpExchange exchange)
      throws IOException, BadRequest, SQLException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    String[] parts = path.split("/", -1); // "", "v1", "users", id, "recommendations"
    if (path.equals("/health/ready") || path.equals("/health/alive")) {
      requireMethod(method, "GET");
      boolean alive = path.endsWith("alive");
      if (alive || store.ready()) {
        return Map.entry(200, fields("status", alive ? "alive" : "ready"));
      }
      return Map.entry(503, fields("status", "not ready", "reason", "database unreachable"));
    }
    if (path.equals("/v1/impressions")) {
      requireMethod(method, "POST");
      return impressions(readBody(exchange, MAX_INGEST_BODY));
    }
    if (path.equals("/v1/events")) {
      requireMethod(method, "POST");
      return events(readBody(exchange, MAX_INGEST_BODY));
    }
    if (path.equals("/v1/items")) {
      requireMethod(method, "POST");
      return items(readBody(exchange, MAX_BODY));
    }
    if (parts.length == 4 && parts[1].equals("v1") && parts[2].equals("items")) {
      requireMethod(method, "GET");
      return item(pathId(parts[3], "id"));
    }
    if (parts.length == 5 && parts[1].equals("v1") && parts[2].equals("users")) {
      String userId = pathId(parts[3], "userId");
      if (parts[4].equals("recommendations")) {
        requireMethod(method, "GET");
        return recommendations(userId, query(exchange.getRequestURI().getRawQuery()));
      }
      if (parts[4].equals("state")) {
        requireMethod(method, "GET");
        return state(userId);
      }
    }
    throw new BadRequest(404, "not_found", null, "no route " + method + " " + path);
  }

  private Map.Entry<Integer, JsonNode> impressions(JsonNode body) throws BadRequest, SQLException {
    requireObject(body);
    String userId = requiredId(body, "userId", "userId");
    List<String> itemIds = idArray(body, "itemIds", MAX_IDS);
    int recorded = store.recordImpressions(userId, itemIds);
    int distinct = (int) itemIds.stream().distinct().count();
    return Map.entry(202, fields("recorded", recorded, "duplicates", distinct - recorded));
  }

  private Map.Entry<Integer, JsonNode> recommendations(String userId, Map<String, String> query)
      throws BadRequest, SQLException {
    for (String name : query.keySet()) {
      if (!name.equals("k") && !name.equals("explain")) {
        throw BadRequest.invalid(name, name + " is not supported by the baseline service");
      }
    }
    int k = 20;
    String kText = query.get("k");
    if (kText != null) {
      try {
        k = Integer.parseInt(kText);
      } catch (NumberFormatException e) {
        throw BadRequest.invalid("k", "k must be a whole number from 1 to " + MAX_K);
      }
      if (k < 1 || k > MAX_K) {
        throw BadRequest.invalid("k", "k must be a whole number from 1 to " + MAX_K);
      }
    }
    List<Map.Entry<String, Double>> top = store.topUnseen(userId, k);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("rankingId", UUID.randomUUID().toString());
    answer.put("variant", "baseline-popularity");
    ArrayNode items = answer.putArray("items");
    int position = 1;
    for (Map.Entry<String, Double> e : top) {
      ObjectNode item = items.addObject();
      item.put("id", e.getKey());
      item.put("score", e.getValue());
      item.put("position", position++);
      item.put("reason", "popular");
    }
    return Map.entry(200, answer);
  }

  private Map.Entry<Integer, JsonNode> items(JsonNode body) throws BadRequest, SQLException {
    requireObject(body);
    JsonNode array = requiredArray(body, "items", MAX_ITEMS);
    long now = System.currentTimeMillis();
    // last one wins for an id given twice (one ON CONFLICT DO UPDATE cannot touch a row twice)
    Map<String, BaselineStore.Item> items = new LinkedHashMap<>();
    for (int i = 0; i < array.size(); i++) {
      String at = "items[" + i + "]";
      JsonNode node = array.get(i);
      if (!node.isObject()) throw BadRequest.invalid(at, at + " must be an object");
      String id = requiredId(node, "id", at + ".id");
      JsonNode category = node.get("category");
      if (category == null
          || !category.isTextual()
          || category.textValue().isEmpty()
          || category.textValue().length() > 128) {
        throw BadRequest.invalid(at + ".category", at + ".category must be 1-128 characters");
      }
      String status = "active";
      JsonNode s = node.get("status");
      if (s != null && !s.isNull()) {
        if (!s.isTextual() || !STATUSES.contains(s.textValue())) {
          throw BadRequest.invalid(
              at + ".status", at + ".status must be one of active, archived, flagged");
        }
        status = s.textValue();
      }
      double popularity = 0;
      JsonNode p = node.get("popularity");
      if (p != null && !p.isNull()) {
        if (!p.isNumber() || !Double.isFinite(p.doubleValue()) || p.doubleValue() < 0) {
          throw BadRequest.invalid(
              at + ".popularity", at + ".popularity must be a non-negative number");
        }
        popularity = p.doubleValue();
      }
      long created = timestamp(node.get("createdAt"), at + ".createdAt", now);
      items.remove(id);
      items.put(id, new BaselineStore.Item(id, category.textValue(), status, popularity, created));
    }
    int n = store.upsertItems(new ArrayList<>(items.values()));
    return Map.entry(200, fields("upserted", n));
  }

  private Map.Entry<Integer, JsonNode> events(JsonNode body) throws BadRequest, SQLException {
    requireObject(body);
    JsonNode array = requiredArray(body, "events", MAX_EVENTS);
    long now = System.currentTimeMillis();
    List<BaselineStore.Event> events = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String at = "events[" + i + "]";
      JsonNode node = array.get(i);
      if (!node.isObject()) throw BadRequest.invalid(at, at + " must be an object");
      JsonNode type = node.get("type");
      if (type == null || !type.isTextual() || !EVENT_TYPES.contains(type.textValue())) {
        throw BadRequest.invalid(at + ".type", at + ".type must be one of " + EVENT_TYPES);
      }
      String userId = requiredId(node, "userId", at + ".userId");
      String itemId = null;
      JsonNode item = node.get("itemId");
      if (item != null && !item.isNull()) {
        itemId = requiredId(node, "itemId", at + ".itemId");
      }
      Long value = null;
      JsonNode v = node.get("value");
      if (v != null && !v.isNull()) {
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0) {
          throw BadRequest.invalid(at + ".value", at + ".value must be a non-negative integer");
        }
        value = v.longValue();
      }
      String intent = null;
      JsonNode in = node.get("intent");
      if (in != null && !in.isNull()) {
        if (!in.isTextual() || in.textValue().length() > 64) {
          throw BadRequest.invalid(at + ".intent", at + ".intent must be a short string");
        }
        intent = in.textValue();
      }
      long ts = timestamp(node.get("ts"), at + ".ts", now);
      events.add(new BaselineStore.Event(userId, itemId, type.textValue(), ts, value, intent));
    }
    store.recordEvents(events);
    return Map.entry(202, fields("accepted", events.size()));
  }

  private Map.Entry<Integer, JsonNode> item(String id) throws BadRequest, SQLException {
    Optional<BaselineStore.Item> item = store.item(id);
    if (item.isEmpty()) {
      throw new BadRequest(404, "not_found", "id", "unknown item " + id);
    }
    BaselineStore.Item i = item.get();
    ObjectNode node = JSON.createObjectNode();
    node.put("id", i.id());
    node.put("category", i.category());
    node.putArray("tags");
    node.put("createdAt", Instant.ofEpochMilli(i.createdAtMillis()).toString());
    node.put("status", i.status());
    node.put("popularity", i.popularity());
    node.putObject("attributes");
    return Map.entry(200, node);
  }

  private Map.Entry<Integer, JsonNode> state(String userId) throws SQLException {
    BaselineStore.UserState s = store.state(userId);
    ObjectNode node = JSON.createObjectNode();
    node.put("userId", userId);
    node.put("seen", s.seen());
    node.put("unseen", s.unseen());
    node.put("poolSize", s.poolSize());
    node.put("coverage", s.poolSize() == 0 ? 0.0 : 1.0 - (double) s.unseen() / s.poolSize());
    ObjectNode features = node.putObject("features");
    ObjectNode interactions = features.putObject("interactions");
    s.interactions().forEach(interactions::put);
    features.putObject("categoryAffinity");
    features.put("hasVector", false);
    return Map.entry(200, node);
  }

  // ---------------------------------------------------------------------------------------------
  // validation

  private static void requireMethod(String method, String expected) throws BadRequest {
    if (!method.equals(expected)) {
      throw new BadRequest(405, "method_not_allowed", null, "use " + expected);
    }
  }

  private static JsonNode readBody(HttpExchange exchange, int limit)
      throws IOException, BadRequest {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        in.transferTo(OutputStream.nullOutputStream());
        throw new BadRequest(413, "too_large", null, "body exceeds " + limit + " bytes");
      }
    }
    if (bytes.length == 0) {
      throw BadRequest.invalid(null, "a JSON body is required");
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw BadRequest.invalid(null, "body is not valid JSON");
    }
  }

  private static void requireObject(JsonNode body) throws BadRequest {
    if (body == null || !body.isObject()) {
      throw BadRequest.invalid(null, "body must be a JSON object");
    }
  }

  private static JsonNode requiredArray(JsonNode body, String name, int max) throws BadRequest {
    JsonNode array = body.get(name);
    if (array == null || !array.isArray() || array.isEmpty()) {
      throw BadRequest.invalid(name, name + " must be a non-empty array");
    }
    if (array.size() > max) {
      throw BadRequest.invalid(name, name + " allows at most " + max + " elements");
    }
    return array;
  }

  private static List<String> idArray(JsonNode body, String name, int max) throws BadRequest {
    JsonNode array = requiredArray(body, name, max);
    List<String> ids = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode id = array.get(i);
      if (!id.isTextual() || !ID.matcher(id.textValue()).matches()) {
        String at = name + "[" + i + "]";
        throw BadRequest.invalid(at, at + " must be 1-128 characters of [A-Za-z0-9._:@-]");
      }
      ids.add(id.textValue());
    }
    return ids;
  }

  private static String requiredId(JsonNode node, String name, String field) throws BadRequest {
    JsonNode id = node.get(name);
    if (id == null || !id.isTextual() || !ID.matcher(id.textValue()).matches()) {
      throw BadRequest.invalid(field, field + " must be 1-128 characters of [A-Za-z0-9._:@-]");
    }
    return id.textValue();
  }

  private static String pathId(String raw, String field) throws BadRequest {
    String id = decode(raw, field);
    if (!ID.matcher(id).matches()) {
      throw BadRequest.invalid(field, field + " must be 1-128 characters of [A-Za-z0-9._:@-]");
    }
    return id;
  }

  private static long timestamp(JsonNode node, String field, long now) throws BadRequest {
    if (node == null || node.isNull()) {
      return now;
    }
    if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
      return node.longValue();
    }
    if (node.isTextual()) {
      try {
        return Instant.parse(node.textValue()).toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        // fall through
      }
    }
    throw BadRequest.invalid(field, field + " must be ISO-8601 or epoch milliseconds");
  }

  private static Map<String, String> query(String raw) throws BadRequest {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), null);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
      params.put(name, value);
    }
    return params;
  }

  private static String decode(String raw, String field) throws BadRequest {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw BadRequest.invalid(field, "bad percent-encoding: " + raw);
    }
  }

  private static ObjectNode fields(Object... keyValues) {
    ObjectNode node = JSON.createObjectNode();
    for (int i = 0; i < keyValues.length; i += 2) {
      node.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
    }
    return node;
  }

  private static ObjectNode error(String code, String message, String field) {
    ObjectNode node = JSON.createObjectNode();
    ObjectNode error = node.putObject("error");
    error.put("code", code);
    error.put("message", message);
    if (field != null) error.put("field", field);
    return node;
  }
}
