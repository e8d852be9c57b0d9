package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.http.RouteTesting;
import dev.freshet.http.edge.Endpoint;
import dev.freshet.http.edge.Endpoints;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * The edge with API keys and rate limits on (the node's defaults, but an anonymous limit of 3 a
 * minute): what it answers without reaching the key store. A key that is presented has to be looked
 * up in PostgreSQL, which route tests do not have; see {@link
 * #aPresentedKeyIsLookedUpSoWithoutTheDatabaseItIsA503}.
 */
class EdgeAuthRoutesTest extends RouteTesting {

  @Override
  protected Config overrides() {
    return ConfigFactory.parseString(
        """
        freshet.auth.enabled = on
        freshet.limits.enabled = on
        freshet.limits.anonymous-per-minute = 3
        """);
  }

  private static HttpRequest request(Endpoint e) {
    String path =
        e.template()
            .replace("{userId}", "u1")
            .replace("{itemId}", "ok1")
            .replace("{keyId}", "key_000000000000")
            .replace("{token}", "x".repeat(43));
    return HttpRequest.create(path).withMethod(HttpMethods.lookup(e.method()).orElseThrow());
  }

  @Test
  void everyKeyedRouteWithoutAKeyIsA401AndNeverA429() {
    // more requests than the anonymous limit allows: a missing key is still told so (401), since
    // a 429 would have the client retry a request that can never succeed
    for (int round = 0; round < 2; round++) {
      for (Endpoint e : Endpoints.ALL) {
        if (e.isPublic()) continue;
        TestRouteResult result = run(request(e));
        assertThat(
                assertError(result, 401, "unauthorized", "Authorization").path("message").asText())
            .as(e.method() + " " + e.template())
            .contains("Authorization: Bearer");
      }
    }
  }

  @Test
  void aKeyOutsideABearerHeaderIsNoKey() {
    for (String authorization :
        new String[] {"Basic dXNlcjpwdw==", "Bearer ", "key-without-scheme"}) {
      assertError(
          run(
              HttpRequest.GET("/v1/users/u1/state")
                  .addHeader(header("Authorization", authorization))),
          401,
          "unauthorized",
          "Authorization");
    }
    // only the WebSocket endpoint takes its key from the query (browsers cannot set its headers)
    assertError(
        run(HttpRequest.GET("/v1/users/u1/state?access_token=secret")),
        401,
        "unauthorized",
        "Authorization");
  }

  @Test
  void metricsNeedAnAdminKeyUnlessMadePublic() {
    assertError(run(HttpRequest.GET("/metrics")), 401, "unauthorized", "Authorization");
  }

  @Test
  void aPresentedKeyIsLookedUpSoWithoutTheDatabaseItIsA503() {
    // not a 401: the key may be valid, and the client should retry once storage is back
    assertError(
        run(
            HttpRequest.GET("/v1/users/u1/state")
                .addHeader(header("Authorization", "Bearer fk_live_unknown"))),
        503,
        "unavailable",
        null);
  }

  @Test
  void publicRoutesNeedNoKeyButAnonymousCallersAreLimitedAndProbesNever() {
    // the shared-link route is anonymous too, but counts against the same limit: three requests
    // of the anonymous tier, then a 429 with the seconds to wait
    run(HttpRequest.GET("/v1/openapi.json")).assertStatusCode(200);
    run(HttpRequest.GET("/v1/openapi.json")).assertStatusCode(200);
    assertError(run(HttpRequest.GET("/v1/shared/favorites/short")), 404, "not_found", "token");
    TestRouteResult limited = run(HttpRequest.GET("/v1/openapi.json"));
    assertError(limited, 429, "rate_limited", null);
    assertThat(Long.parseLong(limited.response().getHeader("Retry-After").orElseThrow().value()))
        .isBetween(1L, 60L);

    for (int i = 0; i < 5; i++) {
      run(HttpRequest.GET("/health/alive")).assertStatusCode(200);
      run(HttpRequest.GET("/health/ready")).assertStatusCode(200);
    }
  }
}
