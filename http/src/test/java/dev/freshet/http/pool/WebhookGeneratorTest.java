package dev.freshet.http.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.pool.GenerationRequest;
import dev.freshet.http.api.ApiJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real local HTTP server whose answer to each call is scripted per test. */
class WebhookGeneratorTest {

  private static final int DIMENSION = 4;
  private static final GenerationRequest REQUEST =
      new GenerationRequest(
          "req-1", "jazz", 2, true, 7, "7 users crossed 90 % coverage", 1, 1_700_000_000_000L);
  private static final String TWO_ITEMS =
      """
      {"items":[
        {"id":"gen-1","category":"jazz","tags":["new","live"],"popularity":1.5,
         "embedding":[0.1,0.2,0.3,0.4],"attributes":{"title":"Blue"}},
        {"id":"gen-2","category":"jazz","status":"flagged"}
      ]}""";

  private static ActorSystem<Void> system;

  private record Reply(int status, String body, long delayMillis) {}

  private HttpServer server;
  private ExecutorService serverThreads;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  /** What the server answers to its n-th call (1-based). */
  private volatile IntFunction<Reply> script = n -> new Reply(200, TWO_ITEMS, 0);

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create(Behaviors.empty(), "WebhookGeneratorTest");
  }

  @AfterAll
  static void stopSystem() throws Exception {
    // pools first, so terminating the system does not log them as shut down unexpectedly
    Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, SECONDS);
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext(
        "/generate",
        exchange -> {
          try (exchange) {
            int n = calls.incrementAndGet();
            bodies.add(ApiJson.mapper().readTree(exchange.getRequestBody().readAllBytes()));
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            Reply reply = script.apply(n);
            if (reply.delayMillis() > 0) Thread.sleep(reply.delayMillis());
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            exchange.getResponseBody().write(out);
          } catch (InterruptedException | IOException e) {
            // the client gave up on this call (timeout) or the test is over
          }
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/generate";
  }

  /**
   * Short back-offs so every case takes well under a second or two. The timeout is generous (a
   * JVM's first request is slow) except in the case about timeouts.
   */
  private WebhookGenerator generator(String url, String overrides) {
    Config config =
        ConfigFactory.parseString(
                "freshet.pool.webhook { url = \""
                    + url
                    + "\", token = \"\", timeout = 2s, attempts = 3,"
                    + " min-backoff = 20ms, max-backoff = 50ms, random-factor = 0 }\n"
                    + "freshet.pool.webhook { "
                    + overrides
                    + " }")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    return new WebhookGenerator(system, WebhookGenerator.Settings.fromConfig(config), DIMENSION);
  }

  private WebhookGenerator generator(String overrides) {
    return generator(url(), overrides);
  }

  private static List<ItemUpsert> success(CompletionStage<List<ItemUpsert>> stage)
      throws Exception {
    return stage.toCompletableFuture().get(10, SECONDS);
  }

  private static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(10, SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the stage to fail");
  }

  @Test
  void postsTheRequestAndReturnsTheValidatedItems() throws Exception {
    WebhookGenerator generator = generator("token = s3cret");

    List<ItemUpsert> items = success(generator.generate(REQUEST));

    assertThat(generator.name()).isEqualTo("webhook");
    assertThat(calls).hasValue(1);
    JsonNode sent = bodies.get(0);
    assertThat(sent.get("requestId").asText()).isEqualTo("req-1");
    assertThat(sent.get("category").asText()).isEqualTo("jazz");
    assertThat(sent.get("count").asInt()).isEqualTo(2);
    assertThat(sent.get("urgent").asBoolean()).isTrue();
    assertThat(sent.get("users").asInt()).isEqualTo(7);
    assertThat(sent.get("reason").asText()).isEqualTo("7 users crossed 90 % coverage");
    assertThat(sent.get("attempt").asInt()).isEqualTo(1);
    assertThat(authorizations).containsExactly("Bearer s3cret");

    assertThat(items).extracting(ItemUpsert::id).containsExactly("gen-1", "gen-2");
    assertThat(items).extracting(ItemUpsert::category).containsOnly("jazz");
    ItemUpsert first = items.get(0);
    assertThat(first.tags()).containsExactly("new", "live");
    assertThat(first.popularity()).isEqualTo(1.5);
    assertThat(first.embedding()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f);
    assertThat(first.attributesJson()).isEqualTo("{\"title\":\"Blue\"}");
    assertThat(first.status()).isEqualTo(ItemStatus.ACTIVE);
    assertThat(items.get(1).status()).isEqualTo(ItemStatus.FLAGGED);
    assertThat(items.get(1).embedding()).isNull();
  }

  @Test
  void anAttemptThatOverrunsTheTimeoutIsRetriedThenReported() throws Exception {
    script = n -> new Reply(200, TWO_ITEMS, 1_500);
    WebhookGenerator generator = generator("timeout = 300ms");

    long start = System.nanoTime();
    Throwable failure = failure(generator.generate(REQUEST));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failure)
        .isInstanceOf(WebhookGenerator.WebhookException.class)
        .hasMessage("webhook timed out after 300ms (3 attempts)");
    assertThat(calls).hasValue(3);
    // three timeouts and two back-offs, without waiting out the server's 1.5s answers
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(2_500));
  }

  @Test
  void fiveHundredsAreRetriedUntilTheWebhookAnswers() throws Exception {
    script = n -> n <= 2 ? new Reply(503, "{\"error\":\"busy\"}", 0) : new Reply(200, TWO_ITEMS, 0);
    WebhookGenerator generator = generator("");
    GenerationRequest anyCategory =
        new GenerationRequest("req-2", null, 5, false, 1, "1 user crossed 85 % coverage", 2, 0);

    List<ItemUpsert> items = success(generator.generate(anyCategory));

    assertThat(items).extracting(ItemUpsert::id).containsExactly("gen-1", "gen-2");
    assertThat(calls).hasValue(3);
    assertThat(bodies)
        .allSatisfy(
            body -> {
              assertThat(body.get("requestId").asText()).isEqualTo("req-2");
              assertThat(body.get("category").isNull()).isTrue();
              assertThat(body.get("attempt").asInt()).isEqualTo(2);
            });
    assertThat(authorizations).containsOnly(""); // no token configured, no header
  }

  @Test
  void aMalformedAnswerFailsAtOnceNamingTheField() throws Exception {
    script =
        n ->
            new Reply(
                200,
                "{\"items\":[{\"id\":\"gen-1\",\"category\":\"jazz\"},{\"id\":\"gen-2\"}]}",
                0);
    WebhookGenerator generator = generator("");

    Throwable failure = failure(generator.generate(REQUEST));

    assertThat(failure)
        .isInstanceOf(WebhookGenerator.WebhookException.class)
        .hasMessage("webhook answered with an invalid items body: items[1].category is required");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    script = n -> new Reply(422, "{\"error\":\"count must be at most 1\"}", 0);
    WebhookGenerator generator = generator("");

    Throwable failure = failure(generator.generate(REQUEST));

    assertThat(failure)
        .hasMessage("webhook answered 422: {\"error\":\"count must be at most 1\"} (not retried)");
    assertThat(calls).hasValue(1);
  }

  @Test
  void theBreakerOpensAndThenFailsFastWithoutCallingTheWebhook() throws Exception {
    script = n -> new Reply(500, "", 0);
    WebhookGenerator generator = generator("breaker { max-failures = 2, reset-timeout = 30s }");

    // attempts 1 and 2 reach the server and open the breaker; attempt 3 is refused by it
    Throwable first = failure(generator.generate(REQUEST));
    assertThat(first)
        .hasMessageStartingWith(
            "webhook answered 500 after 2 attempts; circuit breaker open (2 consecutive failures); retrying after ");
    assertThat(calls).hasValue(2);

    long start = System.nanoTime();
    Throwable second = failure(generator.generate(REQUEST));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(second)
        .isInstanceOf(WebhookGenerator.WebhookException.class)
        .hasMessageMatching(
            "circuit breaker open \\(2 consecutive failures\\); retrying after (29|30)s");
    assertThat(calls).hasValue(2);
    assertThat(took).isLessThan(Duration.ofMillis(250));
  }

  @Test
  void anUnreachableWebhookIsRetriedThenReported() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    WebhookGenerator generator = generator("http://127.0.0.1:" + closedPort + "/generate", "");

    Throwable failure = failure(generator.generate(REQUEST));

    assertThat(failure)
        .hasMessageStartingWith("webhook unreachable (")
        .hasMessageEndingWith(") after 3 attempts");
  }

  @Test
  void settingsComeFromReferenceConfAndKeepTheTokenOutOfToString() {
    Config config =
        ConfigFactory.parseString(
                "freshet.pool.webhook { url = \"https://gen.example/items\", token = t0ken }")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    WebhookGenerator.Settings settings = WebhookGenerator.Settings.fromConfig(config);

    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.attempts()).isEqualTo(3);
    assertThat(settings.minBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(settings.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.maxFailures()).isEqualTo(5);
    assertThat(settings.resetTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.maxResponseBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(settings.token()).isEqualTo("t0ken");
    assertThat(settings.toString()).doesNotContain("t0ken");

    WebhookGenerator.Settings unset =
        WebhookGenerator.Settings.fromConfig(
            ConfigFactory.parseString("freshet.pool.webhook.url = \"\"")
                .withFallback(ConfigFactory.defaultReference()));
    assertThatThrownBy(() -> new WebhookGenerator(system, unset, DIMENSION))
        .hasMessageContaining("FRESHET_POOL_WEBHOOK_URL");
  }
}
