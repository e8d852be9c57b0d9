package dev.freshet.http.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Per-route request figures (SPEC C9). The route label is the endpoint's template ({@code
 * /v1/users/{userId}/state}), never the raw path, so that user ids do not become series.
 */
public final class RequestMetrics {

  private final Counter requests;
  private final Counter errors;
  private final Histogram duration;

  public RequestMetrics(PrometheusRegistry registry) {
    requests =
        Counter.builder()
            .name("freshet_http_requests_total")
            .help("HTTP requests answered, by route template, method and status")
            .labelNames("route", "method", "status")
            .register(registry);
    errors =
        Counter.builder()
            .name("freshet_http_request_errors_total")
            .help("HTTP requests answered with an error: kind=client (4xx) or server (5xx)")
            .labelNames("route", "method", "kind")
            .register(registry);
    duration =
        Histogram.builder()
            .name("freshet_http_request_duration_seconds")
            .help("Time from a request's arrival to its response, by route template and method")
            .labelNames("route", "method")
            .classicUpperBounds(
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .classicOnly()
            .register(registry);
  }

  public void observe(String route, String method, int status, long nanos) {
    requests.labelValues(route, method, Integer.toString(status)).inc();
    if (status >= 400) errors.labelValues(route, method, status >= 500 ? "server" : "client").inc();
    duration.labelValues(route, method).observe(nanos / 1e9);
  }
}
