package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static dev.freshet.cluster.Api.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.user.UserEntity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/stream} over a real socket with the JDK's WebSocket client, on a node with API
 * keys and rate limits on (ingest: 3 batches a minute per user, so every test uses its own users),
 * and keep-alive pings after 300 ms of silence.
 */
class WebSocketIngestTest {

  private static final String KEY = "fk_ws_test_admin_4f1c9a";
  private static final int INGEST_PER_USER_PER_MINUTE = 3;

  private static TestNodes.Standalone standalone;
  private static String base;

  @BeforeAll
  static void start() {
    standalone =
        TestNodes.standalone(
            Map.of(
                "pekko.http.server.websocket.periodic-keep-alive-max-idle",
                "300ms",
                "freshet.auth.enabled",
                "on",
                "freshet.auth.admin-key",
                KEY,
                "freshet.limits.enabled",
                "on",
                "freshet.limits.ingest-batches-per-user-per-minute",
                INGEST_PER_USER_PER_MINUTE,
                "freshet.limits.anonymous-per-minute",
                1_000,
                "freshet.limits.rank-per-key-per-minute",
                100_000,
                "freshet.limits.admin-per-key-per-minute",
                100_000));
    base = "127.0.0.1:" + standalone.node().httpPort();
    Api.Response items =
        http(
            HttpRequest.newBuilder(URI.create("http://" + base + "/v1/items"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.items("w", 20, 2, "active"))));
    assertThat(items.status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (standalone != null) standalone.close();
  }

  // ---- acks ------------------------------------------------------------------------------------

  @Test
  void everyBatchIsAckedInOrderWithItsAnswerOnceDurable() {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      ws.send(batch("b-1", click("ws-ann", "w0")));
      JsonNode first = ws.next();
      assertThat(first.path("type").asText()).isEqualTo("ack");
      assertThat(first.path("id").asText()).isEqualTo("b-1");
      assertThat(first.path("seq").asLong()).isEqualTo(1);
      assertThat(first.path("accepted").asInt()).isEqualTo(1);
      // durable at the ack: the journal in PostgreSQL holds the batch already
      assertThat(interactions("ws-ann")).isEqualTo(1);

      ws.send(batch("b-2", click("ws-ann", "w1"), event("like", "ws-ann", "w1")));
      ws.send(
          batch(
              null,
              click("ws-bob", "w2"),
              click("ws-bob", "w3"),
              event("impression", "ws-ann", "w4")));
      JsonNode second = ws.next();
      assertThat(second.path("type").asText()).isEqualTo("ack");
      assertThat(second.path("id").asText()).isEqualTo("b-2");
      assertThat(second.path("seq").asLong()).isEqualTo(2);
      assertThat(second.path("accepted").asInt()).isEqualTo(2);

      JsonNode third = ws.next();
      assertThat(third.path("type").asText()).isEqualTo("ack");
      assertThat(third.has("id")).isFalse();
      assertThat(third.path("seq").asLong()).isEqualTo(3);
      assertThat(third.path("accepted").asInt()).isEqualTo(3);
    }
    assertThat(interactions("ws-ann")).isEqualTo(4);
    assertThat(interactions("ws-bob")).isEqualTo(2);
    JsonNode ann = state("ws-ann").path("features").path("interactions");
    assertThat(ann.path("click").asInt()).isEqualTo(2);
    assertThat(ann.path("like").asInt()).isEqualTo(1);
  }

  /**
   * A batch resent under its idempotencyKey (after a lost ack, on a new connection) is acked again,
   * applied once.
   */
  @Test
  void aResentBatchWithItsIdempotencyKeyIsAppliedOnce() {
    String body =
        "{\"idempotencyKey\":\"ws-key-1\","
            + batch("r-1", click("ws-idem", "w0"), click("ws-idem", "w1")).substring(1);
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      ws.send(body);
      JsonNode first = ws.next();
      assertThat(first.path("type").asText()).isEqualTo("ack");
      assertThat(first.path("accepted").asInt()).isEqualTo(2);
      assertThat(first.has("replayed")).isFalse();
    }
    try (WebSocketClient again = Client.withBearer(KEY)) {
      again.send(body);
      JsonNode replay = again.next();
      assertThat(replay.path("type").asText()).isEqualTo("ack");
      assertThat(replay.path("accepted").asInt()).isEqualTo(2);
      assertThat(replay.path("replayed").asBoolean()).isTrue();
    }
    // the same key over HTTP is the same batch
    Api.Response viaHttp =
        http(
            HttpRequest.newBuilder(URI.create("http://" + base + "/v1/events"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "ws-key-1")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        batch(null, click("ws-idem", "w0"), click("ws-idem", "w1")))));
    assertThat(viaHttp.status()).isEqualTo(202);
    assertThat(interactions("ws-idem")).isEqualTo(2);
  }

  @Test
  void manyBatchesSentWithoutWaitingAreAllAckedInOrder() {
    int batches = 150;
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      for (int i = 0; i < batches; i++) {
        String user = "ws-many-" + i;
        ws.send(
            batch(
                "m-" + i,
                click(user, "w" + (i % 20)),
                click(user, "w" + ((i + 1) % 20)),
                event("like", user, "w5")));
      }
      for (int i = 0; i < batches; i++) {
        JsonNode ack = ws.next();
        assertThat(ack.path("type").asText()).as("answer %d: %s", i, ack).isEqualTo("ack");
        assertThat(ack.path("seq").asLong()).isEqualTo(i + 1);
        assertThat(ack.path("id").asText()).isEqualTo("m-" + i);
        assertThat(ack.path("accepted").asInt()).isEqualTo(3);
      }
    }
    for (int i : new int[] {0, 1, 74, 148, 149}) {
      assertThat(interactions("ws-many-" + i)).as("user %d", i).isEqualTo(3);
    }
    String metrics = text("/metrics");
    assertThat(counter(metrics, "freshet_stream_messages_total{outcome=\"ack\"}"))
        .isGreaterThanOrEqualTo(batches);
    assertThat(counter(metrics, "freshet_stream_connections_total{outcome=\"accepted\"}"))
        .isPositive();
  }

  @Test
  void aMessageSentInSeveralFramesIsOneBatch() {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      String message = batch("frames", click("ws-frames", "w6"), click("ws-frames", "w7"));
      int cut = message.length() / 2;
      ws.sendPart(message.substring(0, cut), false);
      ws.sendPart(message.substring(cut), true);

      JsonNode ack = ws.next();
      assertThat(ack.path("type").asText()).isEqualTo("ack");
      assertThat(ack.path("id").asText()).isEqualTo("frames");
      assertThat(ack.path("accepted").asInt()).isEqualTo(2);
    }
    assertThat(interactions("ws-frames")).isEqualTo(2);
  }

  // ---- bad input ends the connection -----------------------------------------------------------

  @Test
  void malformedJsonIsNamedAndClosesTheConnectionKeepingWhatWasAcked() {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      ws.send(batch("good", click("ws-mal", "w1")));
      ws.send("{\"id\":\"broken\",\"events\":[");

      assertThat(ws.next().path("type").asText()).isEqualTo("ack");
      JsonNode error = ws.next();
      assertThat(error.path("type").asText()).isEqualTo("error");
      assertThat(error.path("seq").asLong()).isEqualTo(2);
      assertThat(error.path("status").asInt()).isEqualTo(400);
      assertThat(error.path("closing").asBoolean()).isTrue();
      assertThat(error.path("error").path("code").asText()).isEqualTo("malformed_json");
      assertThat(error.path("error").path("field").asText()).isEqualTo("message");
      assertThat(error.path("error").path("message").asText()).contains("not valid JSON");
      assertThat(ws.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
      assertThat(ws.received()).isEmpty();
    }
    assertThat(interactions("ws-mal")).isEqualTo(1);
  }

  @Test
  void anInvalidBatchIsRefusedWholeNamingTheFieldAndChangesNothing() {
    String message =
        batch(
            "inv",
            click("ws-inv", "w1"),
            "{\"type\":\"teleport\",\"userId\":\"ws-inv\",\"itemId\":\"w2\"}");
    assertClosesWith(message, "inv", 400, "invalid_field", "events[1].type");
    // found only after the catalog was asked again, while other batches may be in flight
    assertClosesWith(
        batch("unknown", click("ws-inv", "w1"), click("ws-inv", "no-such-item")),
        "unknown",
        400,
        "unknown_item",
        "events[1].itemId");
    assertClosesWith("[1,2]", null, 400, "invalid_field", "message");
    assertClosesWith(
        "{\"id\":7,\"events\":[" + click("ws-inv", "w1") + "]}", null, 400, "invalid_field", "id");
    assertClosesWith(
        "{\"id\":\"" + "x".repeat(129) + "\",\"events\":[" + click("ws-inv", "w1") + "]}",
        null,
        400,
        "invalid_field",
        "id");
    assertThat(interactions("ws-inv")).isZero();
  }

  @Test
  void binaryAndTooLargeMessagesAreRefusedAndClose() {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      ws.sendBinary(batch("bin", click("ws-big", "w1")).getBytes(StandardCharsets.UTF_8));
      JsonNode error = ws.next();
      assertThat(error.path("status").asInt()).isEqualTo(415);
      assertThat(error.path("error").path("code").asText()).isEqualTo("binary_message");
      assertThat(error.path("closing").asBoolean()).isTrue();
      assertThat(ws.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }
    // valid JSON just over 64 KiB: the size alone refuses it
    String padding = "\"" + "p".repeat(64 * 1024) + "\"";
    String tooLarge =
        "{\"id\":\"big\",\"pad\":" + padding + ",\"events\":[" + click("ws-big", "w1") + "]}";
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      ws.send(tooLarge);
      JsonNode error = ws.next();
      assertThat(error.path("status").asInt()).isEqualTo(413);
      assertThat(error.path("error").path("code").asText()).isEqualTo("body_too_large");
      assertThat(error.path("error").path("message").asText()).contains("65536");
      assertThat(ws.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }
    // in frames, the reading stops at the limit rather than after the whole message
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      int cut = tooLarge.length() / 2;
      ws.sendPart(tooLarge.substring(0, cut), false);
      ws.sendPart(tooLarge.substring(cut), true);
      JsonNode error = ws.next();
      assertThat(error.path("status").asInt()).isEqualTo(413);
      assertThat(ws.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }
    assertThat(interactions("ws-big")).isZero();
  }

  // ---- refusals that may pass keep the connection
  // -------------------------------------------------

  @Test
  void aRateLimitedBatchIsAnsweredWithRetryAfterAndTheConnectionStaysOpen() {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      for (int i = 0; i <= INGEST_PER_USER_PER_MINUTE; i++)
        ws.send(batch("hot-" + i, click("ws-hot", "w" + i)));
      ws.send(batch("cool", click("ws-cool", "w1")));

      for (int i = 0; i < INGEST_PER_USER_PER_MINUTE; i++)
        assertThat(ws.next().path("type").asText()).isEqualTo("ack");
      JsonNode limited = ws.next();
      assertThat(limited.path("type").asText()).isEqualTo("error");
      assertThat(limited.path("id").asText()).isEqualTo("hot-" + INGEST_PER_USER_PER_MINUTE);
      assertThat(limited.path("status").asInt()).isEqualTo(429);
      assertThat(limited.path("retryAfterSeconds").asLong()).isPositive();
      assertThat(limited.path("closing").asBoolean()).isFalse();
      JsonNode after = ws.next();
      assertThat(after.path("type").asText()).isEqualTo("ack");
      assertThat(after.path("id").asText()).isEqualTo("cool");
      assertThat(after.path("seq").asLong()).isEqualTo(INGEST_PER_USER_PER_MINUTE + 2);
      assertThat(ws.isOpen()).isTrue();
    }
    assertThat(interactions("ws-hot")).isEqualTo(INGEST_PER_USER_PER_MINUTE);
  }

  // ---- keep-alive, plain GET, authentication
  // ---------------------------------------------------------

  @Test
  void anIdleConnectionIsPingedAndStaysUsable() throws Exception {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ws.pings() < 2 && System.nanoTime() < deadline) Thread.sleep(50);
      assertThat(ws.pings()).isGreaterThanOrEqualTo(2);

      ws.send(batch("after-idle", click("ws-idle", "w3")));
      assertThat(ws.next().path("type").asText()).isEqualTo("ack");
    }
  }

  @Test
  void aPlainGetIsA400ThatSaysAWebSocketIsNeeded() {
    Api.Response response =
        http(HttpRequest.newBuilder(URI.create("http://" + base + "/v1/stream")).GET());
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body().path("error").path("code").asText())
        .isEqualTo("websocket_upgrade_required");
    assertThat(response.errorField()).isEqualTo("Upgrade");
  }

  @Test
  void aConnectionWithoutAValidKeyIsToldWhyAndClosed() {
    for (WebSocketClient ws :
        List.of(
            Client.connect("", Optional.empty()),
            Client.connect("?access_token=fk_not_a_key", Optional.empty()))) {
      try (ws) {
        JsonNode error = ws.next();
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("status").asInt()).isEqualTo(401);
        assertThat(error.path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(error.path("closing").asBoolean()).isTrue();
        assertThat(ws.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
      }
    }
    // a browser passes its key in the query: it may stream
    try (WebSocketClient ws = Client.connect("?access_token=" + KEY, Optional.empty())) {
      ws.send(batch("browser", click("ws-browser", "w2")));
      assertThat(ws.next().path("type").asText()).isEqualTo("ack");
    }
    assertThat(interactions("ws-browser")).isEqualTo(1);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static void assertClosesWith(
      String message, String id, int status, String code, String field) {
    try (WebSocketClient ws = Client.withBearer(KEY)) {
      ws.send(message);
      JsonNode error = ws.next();
      assertThat(error.path("type").asText()).as("%s", error).isEqualTo("error");
      if (id == null) assertThat(error.has("id")).isFalse();
      else assertThat(error.path("id").asText()).isEqualTo(id);
      assertThat(error.path("seq").asLong()).isEqualTo(1);
      assertThat(error.path("status").asInt()).isEqualTo(status);
      assertThat(error.path("error").path("code").asText()).isEqualTo(code);
      assertThat(error.path("error").path("field").asText()).isEqualTo(field);
      assertThat(error.path("error").path("traceId").asText()).isNotEmpty();
      assertThat(error.path("closing").asBoolean()).isTrue();
      assertThat(ws.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }
  }

  private static String batch(String id, String... events) {
    return "{"
        + (id == null ? "" : "\"id\":\"" + id + "\",")
        + "\"events\":["
        + String.join(",", events)
        + "]}";
  }

  private static String click(String user, String item) {
    return event("click", user, item);
  }

  /** Interactions in the user's journal (PostgreSQL), i.e. what is durable. */
  private static int interactions(String user) {
    int n = 0;
    for (UserEntity.Event e : Journal.events(standalone.node().system(), user)) {
      if (e instanceof UserEntity.InteractionsRecorded recorded)
        n += recorded.interactions().size();
    }
    return n;
  }

  private static JsonNode state(String user) {
    Api.Response response =
        http(
            HttpRequest.newBuilder(URI.create("http://" + base + "/v1/users/" + user + "/state"))
                .header("Authorization", "Bearer " + KEY)
                .GET());
    assertThat(response.status()).isEqualTo(200);
    return response.body();
  }

  /** A sample's value in Prometheus text, or -1 when it is missing. */
  private static double counter(String metrics, String sample) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(sample + " "))
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
    }
    return -1;
  }

  private static String text(String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://" + base + path))
                  .header("Authorization", "Bearer " + KEY)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path + " failed", e);
    }
  }

  private static Api.Response http(HttpRequest.Builder request) {
    return standalone.api().send(request.header("Authorization", "Bearer " + KEY));
  }

  /** A WebSocket to the stream that collects what the server sends. */

  /** A client of this node's ingest stream. */
  private static final class Client {
    static WebSocketClient withBearer(String key) {
      return connect("", Optional.of(key));
    }

    static WebSocketClient connect(String query, Optional<String> bearer) {
      return WebSocketClient.connect("ws://" + base + "/v1/stream" + query, bearer);
    }
  }
}
