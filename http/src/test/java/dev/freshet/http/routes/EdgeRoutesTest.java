package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.http.RouteTesting;
import dev.freshet.http.edge.Endpoint;
import dev.freshet.http.edge.Endpoints;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * What the edge answers for every request before and around the routes: unknown paths and methods,
 * security headers, trace ids, malformed headers, CORS with the default "*" policy, and the public
 * documents (health, OpenAPI, metrics with auth off).
 */
class EdgeRoutesTest extends RouteTesting {

  @Test
  void anUnknownPathIsA404NoRouteInTheErrorJson() {
    TestRouteResult result = run(HttpRequest.GET("/v1/nowhere"));

    JsonNode error = assertError(result, 404, "no_route", null);
    assertThat(error.path("message").asText()).isEqualTo("There is no route GET /v1/nowhere");
    assertError(run(HttpRequest.GET("/v1/users/u1/state/extra")), 404, "no_route", null);
    assertError(run(HttpRequest.GET("/")), 404, "no_route", null);
  }

  @Test
  void aKnownPathWithAnotherMethodIsA405NamingTheAllowedMethods() {
    TestRouteResult post = run(HttpRequest.POST("/v1/users/u1/state"));
    assertThat(assertError(post, 405, "method_not_allowed", null).path("message").asText())
        .endsWith("(allowed: GET)");
    post.assertHeaderExists("Allow", "GET");

    TestRouteResult favorite = run(HttpRequest.POST("/v1/users/u1/favorites/ok1"));
    assertThat(assertError(favorite, 405, "method_not_allowed", null).path("message").asText())
        .contains("PUT", "DELETE");
    assertThat(favorite.response().getHeader("Allow").orElseThrow().value())
        .contains("PUT", "DELETE");

    TestRouteResult patch = run(HttpRequest.create("/v1/items").withMethod(HttpMethods.PATCH));
    assertThat(assertError(patch, 405, "method_not_allowed", null).path("message").asText())
        .endsWith("(allowed: POST)");
  }

  @Test
  void everyAnswerCarriesTheSecurityHeadersAndATraceId() {
    for (TestRouteResult result :
        new TestRouteResult[] {
          run(HttpRequest.GET("/health/alive")), // 200
          run(HttpRequest.GET("/v1/nowhere")), // 404 from the edge
          run(HttpRequest.GET("/v1/users/u1/recommendations?k=0")) // 400 from a route
        }) {
      result
          .assertHeaderExists("X-Content-Type-Options", "nosniff")
          .assertHeaderExists("X-Frame-Options", "DENY")
          .assertHeaderExists("Referrer-Policy", "no-referrer")
          .assertHeaderKindExists("Permissions-Policy");
      assertThat(result.response().getHeader("Content-Security-Policy").orElseThrow().value())
          .contains("default-src 'self'", "frame-ancestors 'none'");
      assertThat(result.response().getHeader("Strict-Transport-Security").orElseThrow().value())
          .contains("max-age=");
      assertThat(result.response().getHeader("X-Request-Id").orElseThrow().value())
          .matches("[0-9a-f]{32}");
    }
  }

  @Test
  void theTraceIdComesFromTraceparentElseASaneRequestId() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    run(HttpRequest.GET("/health/alive")
            .addHeader(header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"))
            .addHeader(header("X-Request-Id", "req-1")))
        .assertHeaderExists("X-Request-Id", traceId);

    TestRouteResult requestId =
        run(HttpRequest.GET("/v1/nowhere").addHeader(header("X-Request-Id", "req-42")));
    requestId.assertHeaderExists("X-Request-Id", "req-42");
    assertThat(assertError(requestId, 404, "no_route", null).path("traceId").asText())
        .isEqualTo("req-42");

    // an all-zero trace id and a request id with spaces are not trace ids: a fresh one is made
    for (HttpHeader insane :
        new HttpHeader[] {
          header("traceparent", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"),
          header("X-Request-Id", "not sane")
        }) {
      assertThat(
              run(HttpRequest.GET("/health/alive").addHeader(insane))
                  .response()
                  .getHeader("X-Request-Id")
                  .orElseThrow()
                  .value())
          .matches("[0-9a-f]{32}");
    }
  }

  @Test
  void aHeaderWithControlOrNonAsciiCharactersIsRefusedAndClosesTheConnection() {
    TestRouteResult result =
        run(HttpRequest.GET("/health/alive").addHeader(header("X-Note", "caf\u00e9")));

    assertError(result, 400, "malformed_header", "X-Note");
    result.assertHeaderExists("Connection", "close");
  }

  @Test
  void anyOriginMayCallWithoutCredentialsAndReadErrors() {
    TestRouteResult preflight =
        run(
            HttpRequest.create("/v1/impressions")
                .withMethod(HttpMethods.OPTIONS)
                .addHeader(header("Origin", "https://shop.example.org"))
                .addHeader(header("Access-Control-Request-Method", "POST"))
                .addHeader(
                    header(
                        "Access-Control-Request-Headers",
                        "authorization, content-type, idempotency-key")));
    preflight.assertStatusCode(200).assertHeaderExists("Access-Control-Allow-Origin", "*");
    assertThat(
            preflight
                .response()
                .getHeader("Access-Control-Allow-Headers")
                .orElseThrow()
                .value()
                .toLowerCase())
        .contains("authorization", "idempotency-key");
    preflight.assertHeaderKindNotExists("Access-Control-Allow-Credentials");

    // an error is answered inside CORS, so that the page can read which field was wrong
    TestRouteResult bad =
        run(
            HttpRequest.POST("/v1/impressions")
                .addHeader(header("Origin", "https://shop.example.org"))
                .withEntity(
                    ContentTypes.APPLICATION_JSON, "{\"userId\":\"x\",\"itemIds\":[\"ghost\"]}"));
    assertError(bad, 400, "unknown_item", "itemIds[0]");
    bad.assertHeaderExists("Access-Control-Allow-Origin", "*")
        .assertHeaderKindNotExists("Access-Control-Allow-Credentials");
    assertThat(bad.response().getHeader("Access-Control-Expose-Headers").orElseThrow().value())
        .contains("Retry-After", "X-Request-Id");
  }

  @Test
  void livenessAndReadinessAreAnsweredWithoutAKey() {
    TestRouteResult alive = run(HttpRequest.GET("/health/alive"));
    alive.assertStatusCode(200).assertContentType("application/json");
    assertThat(json(alive).path("status").asText()).isEqualTo("alive");

    TestRouteResult ready = run(HttpRequest.GET("/health/ready"));
    ready.assertStatusCode(200);
    assertThat(json(ready).path("status").asText()).isEqualTo("ready");
  }

  @Test
  void theOpenApiDocumentIsServedWithEveryEndpointOfTheEdgeTable() {
    TestRouteResult result = run(HttpRequest.GET("/v1/openapi.json"));

    result.assertStatusCode(200).assertContentType("application/json");
    JsonNode document = json(result);
    assertThat(document.path("openapi").asText()).startsWith("3.");
    for (Endpoint e : Endpoints.ALL) {
      assertThat(document.path("paths").path(e.template()).has(e.method().toLowerCase()))
          .as(e.method() + " " + e.template())
          .isTrue();
    }
  }

  @Test
  void metricsAreThePrometheusTextOfThisNodesRegistry() {
    run(HttpRequest.GET("/v1/nowhere"));
    TestRouteResult result = run(HttpRequest.GET("/metrics"));

    result.assertStatusCode(200);
    assertThat(result.contentTypeString()).startsWith("text/plain");
    assertThat(result.entityString())
        .contains("freshet_pool_signals")
        .contains("route=\"unmatched\"");
  }
}
