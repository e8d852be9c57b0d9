package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook generator in a running node against a real local HTTP server that is down at first:
 * requests fail with their reasons (5xx, then the open breaker), the edge keeps serving, and the
 * demand is asked for again until the generator is back, so nothing is lost.
 */
class WebhookPoolHttpTest {

  private static TestNodes.Standalone node;
  private static Api api;
  private static HttpServer generator;
  private static final AtomicBoolean up = new AtomicBoolean(false);
  private static final AtomicInteger calls = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    generator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    generator.createContext(
        "/generate",
        exchange -> {
          calls.incrementAndGet();
          JsonNode request = Api.JSON.readTree(exchange.getRequestBody());
          byte[] body;
          int status;
          if (up.get()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < request.path("count").asInt(); i++) {
              items.add(
                  "{\"id\":\"hook-"
                      + request.path("requestId").asText().substring(0, 8)
                      + "-"
                      + i
                      + "\",\"category\":\"c0\"}");
            }
            body =
                ("{\"items\":[" + String.join(",", items) + "]}").getBytes(StandardCharsets.UTF_8);
            status = 200;
          } else {
            body = "{\"error\":\"warming up\"}".getBytes(StandardCharsets.UTF_8);
            status = 503;
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    generator.start();

    Map<String, Object> config = new HashMap<>();
    config.put("freshet.pool.generator", "webhook");
    config.put(
        "freshet.pool.webhook.url",
        "http://127.0.0.1:" + generator.getAddress().getPort() + "/generate");
    config.put("freshet.pool.webhook.attempts", 2);
    config.put("freshet.pool.webhook.min-backoff", "50ms");
    config.put("freshet.pool.webhook.max-backoff", "100ms");
    config.put("freshet.pool.webhook.breaker.max-failures", 2);
    config.put("freshet.pool.webhook.breaker.reset-timeout", "1s");
    config.put("freshet.pool.window", "300ms");
    config.put("freshet.pool.retry.min-backoff", "500ms");
    config.put("freshet.pool.retry.max-backoff", "1s");
    node = TestNodes.standalone(config);
    api = node.api();
    assertThat(api.post("/v1/items", Api.items("w", 20, 2, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    node.close();
    generator.stop(0);
  }

  private static List<String> failures() {
    List<String> reasons = new ArrayList<>();
    api.get("/v1/admin/pool")
        .body()
        .path("failed")
        .forEach(f -> reasons.add(f.path("failure").asText()));
    return reasons;
  }

  @Test
  void failedRequestsAreRecordedAndRetriedUntilTheGeneratorIsBack() throws Exception {
    assertThat(api.post("/v1/impressions", Api.impressions("hooked", Api.ids("w", 0, 17))).status())
        .isEqualTo(202);

    Shards.awaitTrue("three failed requests", Duration.ofSeconds(15), () -> failures().size() >= 3);
    List<String> failures = failures();
    assertThat(failures)
        .anyMatch(f -> f.contains("503"))
        .anyMatch(f -> f.contains("circuit breaker open"));
    // without the breaker every failed request would have cost two calls
    assertThat(calls.get()).isLessThan(2 * failures.size());
    // the edge serves throughout
    Api.Response ranking = api.get("/v1/users/hooked/recommendations?k=5");
    assertThat(ranking.status()).isEqualTo(200);
    assertThat(Api.rankedIds(ranking)).containsExactly("w17", "w18", "w19");
    JsonNode pool = api.get("/v1/admin/pool").body();
    assertThat(pool.path("completed").size()).isZero();
    assertThat(pool.path("totals").path("signals").asInt()).isEqualTo(1);

    up.set(true);
    Shards.awaitTrue(
        "the demand asked for again and met",
        Duration.ofSeconds(20),
        () -> api.get("/v1/admin/pool").body().path("completed").size() == 1);
    JsonNode done = api.get("/v1/admin/pool").body().path("completed").get(0);
    assertThat(done.path("request").path("attempt").asInt()).isGreaterThan(1);
    assertThat(done.path("request").path("count").asInt()).isEqualTo(10);
    assertThat(done.path("itemIds").size()).isEqualTo(10);
    assertThat(api.get("/v1/users/hooked/state").body().path("poolSize").asInt()).isEqualTo(30);
    assertThat(Api.rankedIds(api.get("/v1/users/hooked/recommendations?k=20")))
        .hasSize(13)
        .anyMatch(id -> id.startsWith("hook-"));
    assertThat(api.get("/v1/admin/pool").body().path("waiting").size()).isZero();
  }
}
