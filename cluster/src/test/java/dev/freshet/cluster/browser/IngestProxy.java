package dev.freshet.cluster.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reverse proxy between a page's SDK and the node, on an origin of its own (what a CDN or load
 * balancer in front of the edge is): every request, CORS preflights included, goes to the node and
 * its answer back, while the ingest POSTs are written down as the proxy saw them (how they came:
 * beacon or fetch, under which Idempotency-Key) with the node's answer. Told to, it fails the first
 * ingest POST with a 503 and {@code Retry-After: 1}: before the node sees it, or after the node has
 * applied it (the answer lost on the way back).
 */
final class IngestProxy implements AutoCloseable {

  /** What happens to the first ingest POST after {@link #reset}. */
  enum FirstPost {
    FORWARDED,
    /** answered 503 by the proxy: the node never sees it */
    REFUSED,
    /** forwarded, applied by the node, and answered 503 all the same */
    ANSWER_LOST
  }

  /**
   * One ingest POST: {@code status} is what the page was answered, {@code nodeStatus} the node's
   * answer (0: not forwarded), {@code replayed} whether the node replayed an earlier answer of the
   * same key.
   */
  record Post(
      String path,
      String contentType,
      boolean bearer,
      boolean keyInQuery,
      String idempotencyKey,
      String body,
      int status,
      int nodeStatus,
      boolean replayed,
      long atNanos) {

    int bytes() {
      return body.getBytes(StandardCharsets.UTF_8).length;
    }

    /** sendBeacon's way: no headers of its own, so key and Idempotency-Key in the query. */
    boolean cameByBeacon() {
      return contentType.startsWith("text/plain") && keyInQuery && !bearer;
    }
  }

  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "host",
          "connection",
          "content-length",
          "expect",
          "upgrade",
          "keep-alive",
          "transfer-encoding",
          "te",
          "trailer",
          "proxy-connection");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<Post> posts = new CopyOnWriteArrayList<>();
  private final AtomicBoolean firstPostSeen = new AtomicBoolean();
  private volatile FirstPost firstPost = FirstPost.FORWARDED;
  private volatile String node;

  private IngestProxy(HttpServer server) {
    this.server = server;
  }

  static IngestProxy start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      IngestProxy proxy = new IngestProxy(server);
      server.createContext("/", proxy::handle);
      server.setExecutor(proxy.threads);
      server.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void forwardTo(String nodeOrigin) {
    this.node = nodeOrigin;
  }

  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Forgets what it saw; {@code first} says what happens to the next ingest POST. */
  void reset(FirstPost first) {
    posts.clear();
    firstPostSeen.set(false);
    firstPost = first;
  }

  /** The ingest POSTs to {@code path} so far, in the order they came. */
  List<Post> posts(String path) {
    return posts.stream().filter(p -> p.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      long at = System.nanoTime();
      String method = exchange.getRequestMethod();
      URI uri = exchange.getRequestURI();
      byte[] body = exchange.getRequestBody().readAllBytes();
      boolean ingest =
          method.equals("POST")
              && (uri.getPath().equals("/v1/impressions") || uri.getPath().equals("/v1/events"));
      FirstPost fate =
          ingest && firstPostSeen.compareAndSet(false, true) ? firstPost : FirstPost.FORWARDED;

      HttpResponse<byte[]> answer = fate == FirstPost.REFUSED ? null : forward(exchange, body);
      boolean fail = fate != FirstPost.FORWARDED;
      int status = fail ? 503 : answer.statusCode();
      if (ingest) posts.add(post(exchange, uri, body, status, answer, at));

      if (fail) {
        answerUnavailable(exchange);
      } else {
        answer
            .headers()
            .map()
            .forEach(
                (name, values) -> {
                  if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))
                      && !name.startsWith(":"))
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                });
        byte[] bytes = answer.body();
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) exchange.getResponseBody().write(bytes);
      }
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException {
    URI uri = exchange.getRequestURI();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node + uri.getRawPath() + query(uri)))
            .timeout(Duration.ofSeconds(20))
            .method(
                exchange.getRequestMethod(),
                body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)))
                values.forEach(v -> request.header(name, v));
            });
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * A 503 such as the edge itself sends when a user entity does not answer in time: with the CORS
   * headers the page needs to read it, Retry-After among them.
   */
  private static void answerUnavailable(HttpExchange exchange) throws IOException {
    byte[] body =
        "{\"error\":{\"code\":\"unavailable\",\"message\":\"try again\"}}"
            .getBytes(StandardCharsets.UTF_8);
    var headers = exchange.getResponseHeaders();
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    if (origin != null) headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", "Retry-After");
    headers.set("Retry-After", "1");
    headers.set("Content-Type", "application/json");
    exchange.sendResponseHeaders(503, body.length);
    exchange.getResponseBody().write(body);
  }

  private static Post post(
      HttpExchange exchange,
      URI uri,
      byte[] body,
      int status,
      HttpResponse<byte[]> answer,
      long at) {
    var headers = exchange.getRequestHeaders();
    String query = Optional.ofNullable(uri.getQuery()).orElse("");
    String keyInQuery = parameter(query, "idempotency_key");
    String key = Optional.ofNullable(headers.getFirst("Idempotency-Key")).orElse(keyInQuery);
    return new Post(
        uri.getPath(),
        Optional.ofNullable(headers.getFirst("Content-Type")).orElse(""),
        headers.containsKey("Authorization"),
        parameter(query, "access_token") != null,
        key,
        new String(body, StandardCharsets.UTF_8),
        status,
        answer == null ? 0 : answer.statusCode(),
        answer != null && answer.headers().firstValue("Idempotent-Replayed").isPresent(),
        at);
  }

  private static String query(URI uri) {
    return uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
  }

  private static String parameter(String query, String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) return pair.substring(eq + 1);
    }
    return null;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
