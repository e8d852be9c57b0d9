package dev.freshet.http;

import dev.freshet.actors.pool.PoolMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * This node's metrics in one Prometheus registry (one per node, so that several nodes in one JVM do not
 * collide), served as Prometheus text at {@code /metrics}. Figures other parts keep themselves are
 * read through callbacks at scrape time, so nothing is counted twice.
 */
public final class Metrics {

  private static final ContentType TEXT = ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private Metrics() {}

  /** The registry with predictive pool generation's figures (C5). */
  public static Metrics of(PoolMetrics pool) {
    Metrics m = new Metrics();
    m.counter("freshet_pool_signals", "Pool-low signals received by the coordinator", pool, PoolMetrics::signals);
    m.counter("freshet_pool_generation_requests", "Generation requests sent to the generator", pool, PoolMetrics::requests);
    m.counter("freshet_pool_generation_completed", "Generation requests that completed", pool, PoolMetrics::completed);
    m.counter("freshet_pool_generation_failed", "Generation requests that failed (their demand is retried)", pool, PoolMetrics::failed);
    m.counter("freshet_pool_generated_items", "Items the generator added to the catalog", pool, PoolMetrics::itemsGenerated);
    m.gauge("freshet_pool_users_at_risk", "Users with fewer unseen items than the at-risk limit", pool, PoolMetrics::usersAtRisk);
    m.gauge("freshet_pool_demand_waiting", "Categories with demand not yet asked for", pool, PoolMetrics::demandWaiting);
    m.gauge("freshet_pool_requests_in_flight", "Generation requests awaiting the generator", pool, PoolMetrics::requestsInFlight);
    return m;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  private <T> void counter(String name, String help, T source, ToDoubleFunction<T> value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(source))).register(registry);
  }

  private <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(source))).register(registry);
  }

  /** A scrape, in Prometheus text format. */
  HttpResponse scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.create().withEntity(HttpEntities.create(TEXT, out.toByteArray()));
  }
}
