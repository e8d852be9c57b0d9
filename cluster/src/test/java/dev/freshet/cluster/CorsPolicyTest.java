package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * freshet.http.cors.allowed-origins as README documents it, on real nodes (issue 12: every request
 * with an Origin header used to answer 500). "*" lets any page call without credentials; "" lets no
 * other origin in; pages of the node's own origin need no entry. The list form is in
 * EdgeSecurityTest.
 */
class CorsPolicyTest {

  private static TestNodes.Standalone anyOrigin;
  private static TestNodes.Standalone noOrigin;

  @BeforeAll
  static void start() {
    anyOrigin = TestNodes.standalone(Map.of()); // the default: "*"
    noOrigin = TestNodes.standalone(Map.of("freshet.http.cors.allowed-origins", ""));
    for (var node : List.of(anyOrigin, noOrigin)) {
      assertThat(node.api().post("/v1/items", Api.items("c", 5, 1, "active")).status())
          .isEqualTo(200);
    }
  }

  @AfterAll
  static void stop() {
    if (anyOrigin != null) anyOrigin.close();
    if (noOrigin != null) noOrigin.close();
  }

  private static HttpResponse<String> preflight(TestNodes.Standalone node, String origin) {
    return node.api()
        .raw(
            HttpRequest.newBuilder(node.api().uri("/v1/impressions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type, authorization"));
  }

  private static HttpResponse<String> impressions(
      TestNodes.Standalone node, String origin, String user) {
    return node.api()
        .raw(
            HttpRequest.newBuilder(node.api().uri("/v1/impressions"))
                .header("Origin", origin)
                .header(
                    "Cookie", "session=abc") // a browser would send cookies; they must not matter
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(Api.impressions(user, List.of("c1")))));
  }

  private static int seen(TestNodes.Standalone node, String user) {
    return node.api().get("/v1/users/" + user + "/state").body().path("seen").asInt();
  }

  @Test
  void anyOriginMayCallWithoutCredentials() {
    HttpResponse<String> pre = preflight(anyOrigin, "https://shop.example.org");
    assertThat(pre.statusCode()).isEqualTo(200);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
        .contains("authorization");
    assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

    for (String origin : List.of("https://shop.example.org", "http://localhost:3000", "null")) {
      HttpResponse<String> actual =
          impressions(anyOrigin, origin, "any-" + Math.abs(origin.hashCode()));
      assertThat(actual.statusCode()).as(origin).isEqualTo(202);
      // never the caller's origin echoed, never with credentials
      assertThat(actual.headers().firstValue("Access-Control-Allow-Origin"))
          .as(origin)
          .hasValue("*");
      assertThat(actual.headers().firstValue("Access-Control-Allow-Credentials"))
          .as(origin)
          .isEmpty();
    }
  }

  @Test
  void errorsCarryTheCorsHeadersSoAPageCanReadThem() {
    HttpResponse<String> bad =
        anyOrigin
            .api()
            .raw(
                HttpRequest.newBuilder(anyOrigin.api().uri("/v1/impressions"))
                    .header("Origin", "https://shop.example.org")
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"userId\":\"x\",\"itemIds\":[\"ghost\"]}")));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(bad.body()).contains("\"field\":\"itemIds[0]\"");
  }

  @Test
  void noOriginRefusesOtherOriginsWithoutCorsHeadersAndChangesNothing() {
    HttpResponse<String> pre = preflight(noOrigin, "https://shop.example.org");
    assertThat(pre.statusCode()).isEqualTo(403);
    assertThat(pre.headers().map().keySet())
        .noneMatch(h -> h.toLowerCase().startsWith("access-control-"));

    HttpResponse<String> actual = impressions(noOrigin, "https://shop.example.org", "foreign-page");
    assertThat(actual.statusCode()).isEqualTo(403);
    assertThat(actual.headers().map().keySet())
        .noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    assertThat(actual.body()).contains("\"error\"");
    assertThat(seen(noOrigin, "foreign-page")).isZero();
  }

  /** A page opening the ingest WebSocket sends its Origin too: the same policy decides. */
  @Test
  void theWebSocketUpgradeFollowsThePolicy() {
    String upgrade =
        "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://shop.example.org\r\n\r\n";

    RawHttp.Conversation any =
        RawHttp.converse("127.0.0.1", anyOrigin.node().httpPort(), RawHttp.bytes(upgrade), 1_500);
    assertThat(any.statuses()).startsWith(101);

    RawHttp.Conversation none =
        RawHttp.converse("127.0.0.1", noOrigin.node().httpPort(), RawHttp.bytes(upgrade), 1_500);
    assertThat(none.statuses()).containsExactly(403);
    assertThat(none.text())
        .contains("origin_not_allowed")
        .doesNotContainIgnoringCase("Access-Control-Allow-Origin");
  }

  @Test
  void aPageOfTheNodesOwnOriginNeedsNoEntry() {
    String own = "http://127.0.0.1:" + noOrigin.node().httpPort();
    HttpResponse<String> actual = impressions(noOrigin, own, "own-page");
    assertThat(actual.statusCode()).isEqualTo(202);
    assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(seen(noOrigin, "own-page")).isEqualTo(1);
  }
}
