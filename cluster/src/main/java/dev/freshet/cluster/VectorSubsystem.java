package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.retrieval.EmbeddedIndexSettings;
import dev.freshet.actors.retrieval.EmbeddedVectorIndex;
import dev.freshet.actors.retrieval.VectorIndex;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.http.metrics.VectorMetrics;
import dev.freshet.qdrant.QdrantSettings;
import dev.freshet.qdrant.QdrantVectorIndex;
import dev.freshet.qdrant.QdrantVectors;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vector indexes behind candidate retrieval and similar items ({@code freshet.vectors}): the
 * embedded index following this node's catalog, and Qdrant in front of it when configured ({@code
 * freshet.vectors.index = qdrant}; its adapter has its own circuit breaker and timeout).
 */
final class VectorSubsystem {

  private static final Logger log = LoggerFactory.getLogger(VectorSubsystem.class);

  private VectorSubsystem() {}

  static VectorLookup init(
      ActorSystem<?> system,
      Config config,
      Catalog catalog,
      VectorMetrics metrics,
      PrometheusRegistry registry) {
    Config c = config.getConfig("freshet.vectors");
    String kind = c.getString("index");
    if (!kind.equals("embedded") && !kind.equals("qdrant"))
      throw new IllegalArgumentException(
          "freshet.vectors.index: unknown index '" + kind + "' (embedded, qdrant)");
    EmbeddedIndexSettings embeddedSettings = EmbeddedIndexSettings.from(c.getConfig("embedded"));
    Optional<VectorIndex> embedded = Optional.empty();
    if (embeddedSettings.enabled()) {
      EmbeddedVectorIndex index = new EmbeddedVectorIndex(embeddedSettings);
      catalog.onChanges(index);
      closeOnShutdown(system, "close-embedded-vector-index", index);
      embedded = Optional.of(index);
    }
    // Qdrant's index has its own circuit breaker and call timeout (freshet.vectors.qdrant)
    Optional<VectorIndex> remote = Optional.empty();
    if (kind.equals("qdrant")) {
      QdrantVectorIndex qdrant =
          QdrantVectors.start(QdrantSettings.fromConfig(config), catalog, system);
      QdrantMetricsExport.register(registry, qdrant.metrics());
      remote = Optional.of(qdrant);
    }
    log.info(
        "vector index index={} embedded={} remote={}",
        kind,
        embedded.isPresent(),
        remote.map(VectorIndex::kind).orElse("none"));
    VectorLookup lookup = new VectorLookup(remote, embedded, metrics);
    metrics.register(lookup);
    return lookup;
  }

  private static void closeOnShutdown(ActorSystem<?> system, String name, AutoCloseable closeable) {
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            name,
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        closeable.close();
                      } catch (Exception e) {
                        log.warn("closing {} failed", name, e);
                      }
                      return Done.getInstance();
                    }));
  }
}
