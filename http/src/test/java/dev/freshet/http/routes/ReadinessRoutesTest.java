package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.http.RouteTesting;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** {@code /health/ready} of a node whose readiness check (Pekko Management's) says it is not. */
class ReadinessRoutesTest extends RouteTesting {

  @Override
  protected ReadinessCheck readiness() {
    return () -> CompletableFuture.completedFuture(Optional.of("database unreachable"));
  }

  @Test
  void aNodeThatIsNotReadySaysWhyWithA503AndStaysAlive() {
    TestRouteResult ready = run(HttpRequest.GET("/health/ready"));
    ready.assertStatusCode(503).assertContentType("application/json");
    assertThat(json(ready).path("status").asText()).isEqualTo("not ready");
    assertThat(json(ready).path("reason").asText()).isEqualTo("database unreachable");

    run(HttpRequest.GET("/health/alive")).assertStatusCode(200);
  }
}
