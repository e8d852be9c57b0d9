package dev.freshet.cluster.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's retries against a scripted HTTP server: what it waits for, and what it does not. */
class ImportClientTest {

  private record Reply(int status, String body, String retryAfter) {}

  private final Deque<Reply> script = new ArrayDeque<>();
  private final List<String> keys = new ArrayList<>();
  private final List<String> auth = new ArrayList<>();
  private final List<Duration> slept = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/events", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
    auth.add(exchange.getRequestHeaders().getFirst("Authorization"));
    exchange.getRequestBody().readAllBytes();
    Reply reply = script.removeFirst();
    if (reply.retryAfter() != null)
      exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
    if (reply.status() == 202 && reply.body().contains("replayed"))
      exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(reply.status(), body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private ImportClient client(URI base) {
    return new ImportClient(
        base,
        Optional.of("fsk_test"),
        new ImportClient.Retries(3, Duration.ofMillis(500), Duration.ofSeconds(1), 5),
        new ImportClient.Listener() {
          @Override
          public void rateLimited(Duration wait) {
            notes.add("rate-limited for " + wait);
          }

          @Override
          public void retrying(String failure, Duration backoff) {
            notes.add(failure + "; again in " + backoff);
          }
        },
        slept::add);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void waitsOutRateLimitsAndServerFailuresUnderTheSameKey() throws Exception {
    script.add(new Reply(429, "{\"error\":{\"code\":\"rate_limited\"}}", "2"));
    script.add(new Reply(503, "{\"error\":{\"message\":\"journal slow\"}}", null));
    script.add(new Reply(202, "{\"accepted\":1,\"stored\":true,\"notStored\":0}", null));

    ImportClient.Answer answer = client(base()).send(batch());

    assertThat(answer).isInstanceOf(ImportClient.Applied.class);
    ImportClient.Applied applied = (ImportClient.Applied) answer;
    assertThat(applied.replayed()).isFalse();
    assertThat(applied.body().path("accepted").asInt()).isEqualTo(1);
    assertThat(slept).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(500));
    assertThat(keys).hasSize(3).allMatch(k -> k.equals(batch().key()));
    assertThat(auth).containsOnly("Bearer fsk_test");
    assertThat(notes)
        .containsExactly(
            "rate-limited for PT2S", "the node answered 503: journal slow; again in PT0.5S");
  }

  @Test
  void aReplayedAnswerIsToldAsOne() throws Exception {
    script.add(new Reply(202, "{\"accepted\":1,\"replayed\":1}", null));
    assertThat(((ImportClient.Applied) client(base()).send(batch())).replayed()).isTrue();
  }

  @Test
  void aRefusalIsNotRetried() throws Exception {
    script.add(
        new Reply(
            400,
            "{\"error\":{\"code\":\"unknown_item\",\"message\":\"events[0].itemId (i) is not in the"
                + " catalog\",\"field\":\"events[0].itemId\"}}",
            null));
    ImportClient.Answer answer = client(base()).send(batch());
    assertThat(answer)
        .isEqualTo(
            new ImportClient.Refused(
                400,
                "unknown_item",
                "events[0].itemId (i) is not in the catalog",
                "events[0].itemId"));
    assertThat(slept).isEmpty();
  }

  @Test
  void aNodeThatCannotBeReachedIsGivenUpAfterTheAttempts() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThatThrownBy(() -> client(URI.create("http://127.0.0.1:" + closed)).send(batch()))
        .isInstanceOf(ImportClient.Unavailable.class)
        .hasMessageContaining("cannot reach http://127.0.0.1:" + closed)
        .hasMessageContaining("(3 attempts). Batches answered before are imported");
    assertThat(slept).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThatThrownBy(() -> client(URI.create("http://127.0.0.1:" + closed)).requireReachable())
        .isInstanceOf(ImportClient.Unavailable.class)
        .hasMessageStartingWith("no node answers at http://127.0.0.1:" + closed);
  }

  private static ImportBatches.Batch batch() {
    ImportRow row =
        new ImportRow(
            2,
            1,
            "{\"type\":\"like\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":1}"
                .getBytes(StandardCharsets.UTF_8));
    return ImportBatches.events(List.of(row), 1_000).iterator().next();
  }
}
