package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.Acknowledgement.Health;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive} and {@code /health/ready} on the edge's own port, for load balancers and
 * Kubernetes probes; readiness is Pekko Management's health checks.
 */
public final class HealthRoutes extends ApiRoutes {

  private final ReadinessCheck readiness;

  public HealthRoutes(ReadinessCheck readiness, ObjectMapper mapper) {
    super(mapper);
    this.readiness = readiness;
  }

  /** The routes below {@code /health}. */
  public Route routes() {
    return concat(
        path("alive", () -> get(() -> json(200, Health.ALIVE))),
        path("ready", () -> get(this::ready)));
  }

  private Route ready() {
    return onSuccess(
        readiness.check(),
        reason ->
            reason
                .map(r -> json(503, Health.notReady(r)))
                .orElseGet(() -> json(200, Health.READY)));
  }
}
