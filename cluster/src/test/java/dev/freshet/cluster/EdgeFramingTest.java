package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What arrives over a raw socket (issue 12): request smuggling through header bytes the parser
 * misreads, broken chunked framing, pipelining, HEAD, and the anonymous limit per client address,
 * on a node with keys and limits on.
 */
class EdgeFramingTest {

  private static final String ADMIN_KEY = "framing-admin-key-0123456789abcdef0123";
  private static TestNodes.Standalone node;
  private static Api admin;
  private static int port;

  @BeforeAll
  static void start() {
    node =
        TestNodes.standalone(
            Map.of(
                "freshet.auth.enabled",
                "on",
                "freshet.auth.admin-key",
                ADMIN_KEY,
                "freshet.limits.enabled",
                "on",
                "freshet.limits.anonymous-per-minute",
                3));
    admin = node.api().withKey(ADMIN_KEY);
    port = node.node().httpPort();
    assertThat(admin.post("/v1/items", Api.items("f", 10, 2, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  private static String impressions(String user) {
    return "{\"userId\":\"" + user + "\",\"itemIds\":[\"f1\",\"f2\"]}";
  }

  private static String post(String path, String body, String extraHeaders) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + ADMIN_KEY
        + "\r\n"
        + "Content-Type: application/json\r\n"
        + extraHeaders
        + "Content-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  private static int seen(String user) {
    return admin.get("/v1/users/" + user + "/state").body().path("seen").asInt();
  }

  /**
   * A lead byte of a UTF-8 sequence just before CRLF makes Pekko's parser swallow the line end, so
   * Content-Length vanishes into the header and the body would run as a second request that a proxy
   * never saw. The first request is refused, and nothing after it on the connection ever runs.
   */
  @ParameterizedTest(name = "a 0x{0} byte ending header {1}")
  @CsvSource({
    "E0, X-Note",
    "F4, X-Note",
    "E0, User-Agent",
    "C3, Accept",
    "F0, Idempotency-Key",
    "E8, Origin",
    "E0, Host"
  })
  void aSwallowedLineEndNeverSmugglesARequest(String hexByte, String header) {
    String user = "smuggled-" + hexByte + "-" + header.toLowerCase();
    String smuggled = post("/v1/impressions", impressions(user), "");
    byte lead = (byte) Integer.parseInt(hexByte, 16);
    String head =
        "POST /v1/impressions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + ADMIN_KEY
            + "\r\n"
            + "Content-Type: application/json\r\n"
            + header
            + ": a";
    String rest = "\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled;

    RawHttp.Conversation exchange =
        RawHttp.converse(
            port,
            RawHttp.bytes(head, new byte[] {lead}, rest.getBytes(StandardCharsets.ISO_8859_1)));

    assertThat(exchange.statuses()).containsExactly(400);
    assertThat(exchange.closed()).as("the connection is closed after the refusal").isTrue();
    assertThat(seen(user)).as("the smuggled request never ran").isZero();
    assertThat(admin.get("/health/ready").status()).isEqualTo(200);
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAllServed() {
    String first = post("/v1/impressions", impressions("pipelined-a"), "");
    String second = post("/v1/impressions", impressions("pipelined-b"), "Connection: close\r\n");

    RawHttp.Conversation exchange = RawHttp.converse(port, RawHttp.bytes(first + second));

    assertThat(exchange.statuses()).containsExactly(202, 202);
    assertThat(seen("pipelined-a")).isEqualTo(2);
    assertThat(seen("pipelined-b")).isEqualTo(2);
  }

  @ParameterizedTest(name = "chunked body: {0}")
  @ValueSource(
      strings = {
        "ZZ\r\n{}\r\n0\r\n\r\n",
        "2\r\n{}XX0\r\n\r\n",
        "-1\r\n{}\r\n0\r\n\r\n",
        "ffffffffffffffffff\r\n{}\r\n0\r\n\r\n"
      })
  void malformedChunkedEncodingIsA400(String chunks) {
    String head =
        "POST /v1/impressions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + ADMIN_KEY
            + "\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

    RawHttp.Conversation exchange = RawHttp.converse(port, RawHttp.bytes(head + chunks));

    assertThat(exchange.statuses()).containsExactly(400);
    assertThat(exchange.text()).doesNotContain("\"internal\"");
  }

  @Test
  void aChunkedBodyThatNeverEndsIsTheClientsTimeoutNotOurs() {
    String head =
        "POST /v1/impressions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + ADMIN_KEY
            + "\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"use";

    RawHttp.Conversation exchange =
        RawHttp.converse("127.0.0.1", port, RawHttp.bytes(head), 12_000);

    assertThat(exchange.statuses()).containsExactly(408);
    assertThat(exchange.text()).contains("\"body_timeout\"");
  }

  /** Requests the parser refuses before any route still get API.md's error JSON, and a 4xx. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "FOO /v1/items/f1 HTTP/1.1",
        "get /v1/items/f1 HTTP/1.1",
        "GET /v1/items/f1 HTTP/2.0",
        "GET /v1/items/%ZZ HTTP/1.1",
        "GET /v1/items/f1 HTTP/1.1 extra",
        "GET /v1/items/f\u0000 HTTP/1.1"
      })
  void unparsableRequestsGetErrorJson(String requestLine) {
    RawHttp.Conversation exchange =
        RawHttp.converse(port, RawHttp.bytes(requestLine + "\r\nHost: 127.0.0.1\r\n\r\n"));

    assertThat(exchange.statuses()).hasSize(1);
    assertThat(exchange.statuses().get(0)).isBetween(400, 499);
    assertThat(exchange.text())
        .contains("Content-Type: application/json")
        .contains("{\"error\":{\"code\":")
        .contains("\"traceId\"");
    assertThat(exchange.closed()).isTrue();
  }

  @Test
  void headIsServedOnEveryGetRouteWithoutABody() {
    String head =
        "HEAD /v1/items/f1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + ADMIN_KEY
            + "\r\nConnection: close\r\n\r\n";

    RawHttp.Conversation exchange = RawHttp.converse(port, RawHttp.bytes(head));

    assertThat(exchange.statuses()).containsExactly(200);
    assertThat(exchange.text()).endsWith("\r\n\r\n");
  }

  /** Each client address has its own anonymous budget; one client cannot lock the others out. */
  @Test
  void theAnonymousLimitIsPerClientAddress() {
    String openapi =
        "GET /v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < 3; i++)
      assertThat(RawHttp.converse("127.0.0.2", port, RawHttp.bytes(openapi), 3_000).statuses())
          .containsExactly(200);
    RawHttp.Conversation refused =
        RawHttp.converse("127.0.0.2", port, RawHttp.bytes(openapi), 3_000);
    assertThat(refused.statuses()).containsExactly(429);
    assertThat(refused.text()).containsIgnoringCase("Retry-After:");

    assertThat(RawHttp.converse("127.0.0.3", port, RawHttp.bytes(openapi), 3_000).statuses())
        .containsExactly(200);

    // an unknown key from the exhausted address is still told it is unknown, not to retry later
    String unknownKey =
        "GET /v1/items/f1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer fsk_unknown\r\nConnection: close\r\n\r\n";
    RawHttp.Conversation unauthorized =
        RawHttp.converse("127.0.0.2", port, RawHttp.bytes(unknownKey), 3_000);
    assertThat(unauthorized.statuses()).containsExactly(401);
    assertThat(unauthorized.text()).contains("\"field\":\"Authorization\"");
  }

  @Test
  void forwardedForIsIgnoredUnlessTrusted() {
    String openapi =
        "GET /v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.9.%d.1\r\nConnection: close\r\n\r\n";
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++)
      statuses.addAll(
          RawHttp.converse("127.0.0.4", port, RawHttp.bytes(String.format(openapi, i)), 3_000)
              .statuses());
    assertThat(statuses).containsExactly(200, 200, 200, 429);
  }
}
