package dev.freshet.cluster;

import dev.freshet.qdrant.QdrantMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/**
 * The Qdrant adapter's counters on /metrics: here, where both modules are known, so that neither
 * the adapter needs Prometheus nor the edge the adapter.
 */
final class QdrantMetricsExport {

  private QdrantMetricsExport() {}

  static void register(PrometheusRegistry registry, QdrantMetrics m) {
    counter(
        registry,
        "freshet_qdrant_upserted_points",
        "Points the sync upserted into Qdrant",
        m,
        QdrantMetrics::upsertedPoints);
    counter(
        registry,
        "freshet_qdrant_deleted_points",
        "Points the sync deleted (items without a usable embedding)",
        m,
        QdrantMetrics::deletedPoints);
    counter(
        registry,
        "freshet_qdrant_batches",
        "Write batches the sync sent to Qdrant",
        m,
        QdrantMetrics::batches);
    counter(
        registry,
        "freshet_qdrant_failed_batches",
        "Write batches Qdrant did not take (retried)",
        m,
        QdrantMetrics::failedBatches);
    counter(
        registry,
        "freshet_qdrant_skipped_items",
        "Items not written: embedding of another dimension, zero or not finite",
        m,
        QdrantMetrics::skippedItems);
    counter(
        registry, "freshet_qdrant_searches", "Searches sent to Qdrant", m, QdrantMetrics::searches);
    counter(
        registry,
        "freshet_qdrant_search_failures",
        "Searches Qdrant failed or refused",
        m,
        QdrantMetrics::searchFailures);
    counter(
        registry,
        "freshet_qdrant_search_timeouts",
        "Searches Qdrant did not answer in time",
        m,
        QdrantMetrics::searchTimeouts);
    counter(
        registry,
        "freshet_qdrant_searches_rejected_by_breaker",
        "Searches not sent because the circuit breaker was open",
        m,
        QdrantMetrics::searchesRejectedByBreaker);
    counter(
        registry,
        "freshet_qdrant_hits_dropped",
        "Qdrant hits the node dropped (inactive, seen or excluded in its own catalog)",
        m,
        QdrantMetrics::hitsDroppedByPostFilter);
  }

  private static void counter(
      PrometheusRegistry registry,
      String name,
      String help,
      QdrantMetrics m,
      ToLongFunction<QdrantMetrics> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.applyAsLong(m)))
        .register(registry);
  }
}
