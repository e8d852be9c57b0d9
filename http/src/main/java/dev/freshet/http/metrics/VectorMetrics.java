package dev.freshet.http.metrics;

import dev.freshet.actors.retrieval.IndexStatus;
import dev.freshet.actors.retrieval.VectorIndex;
import dev.freshet.actors.retrieval.VectorLookup;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The vector indexes on /metrics (SPEC C3, issue 15): query latency by index, failures by reason,
 * degraded answers by reason, and per index its size, pending changes, memory, last build time and
 * state; the remote index's circuit breaker state.
 */
public final class VectorMetrics implements VectorLookup.LookupMetrics {

  /** Index queries take from tens of microseconds (embedded) to the remote call timeout. */
  private static final double[] QUERY_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1
  };

  private static final List<String> STATES =
      List.of("empty", "building", "ready", "closed", "open", "half-open", "disabled");

  private final PrometheusRegistry registry;
  private final Histogram queries;
  private final Counter failures;
  private final Counter degraded;

  VectorMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    queries =
        Histogram.builder()
            .name("freshet_vector_query_seconds")
            .help("Vector index queries that answered, by index (embedded, qdrant)")
            .labelNames("index")
            .classicOnly()
            .classicUpperBounds(QUERY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    failures =
        Counter.builder()
            .name("freshet_vector_failures")
            .help("Vector index queries that did not answer, by index and reason")
            .labelNames("index", "reason")
            .register(registry);
    degraded =
        Counter.builder()
            .name("freshet_degraded_answers")
            .help(
                "Rankings and similar-items answers served without their first-choice vector index, by reason")
            .labelNames("reason")
            .register(registry);
  }

  @Override
  public void answered(String kind, long nanos) {
    queries.labelValues(kind).observe(nanos / 1e9);
  }

  @Override
  public void failed(String kind, String reason) {
    failures.labelValues(kind, reason).inc();
  }

  @Override
  public void degraded(String reason) {
    degraded.labelValues(reason).inc();
  }

  /** Adds the gauges of the lookup's indexes and breaker, read at each scrape. */
  public void register(VectorLookup lookup) {
    indexGauge(
        "freshet_vector_index_items",
        "Items a vector index answers from",
        lookup,
        IndexStatus::items);
    indexGauge(
        "freshet_vector_index_pending",
        "Catalog changes a vector index has received and not yet indexed",
        lookup,
        IndexStatus::pending);
    indexGauge(
        "freshet_vector_index_bytes",
        "Heap a vector index takes on this node (graph and id maps; the vectors are the catalog's)",
        lookup,
        IndexStatus::bytes);
    indexGauge(
        "freshet_vector_index_build_seconds",
        "How long a vector index's last full build or sync took",
        lookup,
        s -> s.lastBuildMillis() / 1000.0);
    GaugeWithCallback.builder()
        .name("freshet_vector_index_state")
        .help(
            "1 for a vector index's current state (empty, building, ready; closed, open, half-open)")
        .labelNames("index", "state")
        .callback(
            cb -> {
              for (IndexStatus s : statuses(lookup))
                for (String state : STATES)
                  cb.call(state.equals(s.state()) ? 1 : 0, s.kind(), state);
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("freshet_vector_breaker_open")
        .help("1 while the remote vector index's circuit breaker is open or half-open")
        .callback(
            cb -> lookup.breakerState().ifPresent(state -> cb.call(state.equals("closed") ? 0 : 1)))
        .register(registry);
  }

  private void indexGauge(
      String name, String help, VectorLookup lookup, ToDoubleFunction<IndexStatus> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("index")
        .callback(cb -> statuses(lookup).forEach(s -> cb.call(value.applyAsDouble(s), s.kind())))
        .register(registry);
  }

  private static List<IndexStatus> statuses(VectorLookup lookup) {
    List<IndexStatus> out = new ArrayList<>(2);
    lookup.remote().map(VectorIndex::status).ifPresent(out::add);
    lookup.embedded().map(VectorIndex::status).ifPresent(out::add);
    return out;
  }
}
