package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.http.RouteTesting;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * CORS with a list of allowed origins: those get their own origin back, others a 403 without CORS
 * headers, and a page of the node's own origin needs no entry.
 */
class CorsRoutesTest extends RouteTesting {

  @Override
  protected Config overrides() {
    return ConfigFactory.parseString(
        "freshet.http.cors.allowed-origins = \"https://shop.example.com, https://m.example.com\"");
  }

  private TestRouteResult preflight(String origin) {
    return run(
        HttpRequest.create("/v1/impressions")
            .withMethod(HttpMethods.OPTIONS)
            .addHeader(header("Origin", origin))
            .addHeader(header("Access-Control-Request-Method", "POST"))
            .addHeader(header("Access-Control-Request-Headers", "content-type, idempotency-key")));
  }

  private static void assertNoCorsHeaders(TestRouteResult result) {
    assertThat(result.response().getHeaders())
        .noneMatch(h -> h.lowercaseName().startsWith("access-control-"));
  }

  @Test
  void anAllowedOriginGetsItsOwnOriginBackOnPreflightAndAnswers() {
    TestRouteResult pre = preflight("https://shop.example.com");
    pre.assertStatusCode(200)
        .assertHeaderExists("Access-Control-Allow-Origin", "https://shop.example.com")
        .assertHeaderKindNotExists("Access-Control-Allow-Credentials");
    assertThat(pre.response().getHeader("Access-Control-Allow-Methods").orElseThrow().value())
        .contains("POST");
    assertThat(
            pre.response()
                .getHeader("Access-Control-Allow-Headers")
                .orElseThrow()
                .value()
                .toLowerCase())
        .contains("idempotency-key");

    TestRouteResult actual =
        run(HttpRequest.GET("/v1/nowhere").addHeader(header("Origin", "https://m.example.com")));
    assertError(actual, 404, "no_route", null);
    actual.assertHeaderExists("Access-Control-Allow-Origin", "https://m.example.com");
  }

  @Test
  void anotherOriginIsRefusedWithA403WithoutCorsHeaders() {
    TestRouteResult pre = preflight("https://evil.example.net");
    assertError(pre, 403, "origin_not_allowed", "Origin");
    assertNoCorsHeaders(pre);

    // the request itself is refused before any route runs: no batch is read
    TestRouteResult actual =
        run(
            HttpRequest.POST("/v1/impressions")
                .addHeader(header("Origin", "https://evil.example.net")));
    assertError(actual, 403, "origin_not_allowed", "Origin");
    assertNoCorsHeaders(actual);

    // "Origin: null" (sandboxed pages, files) is a foreign origin too
    assertError(
        run(HttpRequest.GET("/health/alive").addHeader(header("Origin", "null"))),
        403,
        "origin_not_allowed",
        "Origin");
  }

  @Test
  void aPageOfTheNodesOwnOriginNeedsNoEntry() {
    TestRouteResult own =
        run(
            HttpRequest.GET("/health/alive")
                .addHeader(header("Host", "freshet.internal:8080"))
                .addHeader(header("Origin", "http://freshet.internal:8080")));
    own.assertStatusCode(200);
    assertNoCorsHeaders(own);

    // the same host on another port is another origin
    assertError(
        run(
            HttpRequest.GET("/health/alive")
                .addHeader(header("Host", "freshet.internal:8080"))
                .addHeader(header("Origin", "http://freshet.internal:9090"))),
        403,
        "origin_not_allowed",
        "Origin");
  }
}
