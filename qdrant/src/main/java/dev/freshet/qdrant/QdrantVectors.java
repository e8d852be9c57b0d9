package dev.freshet.qdrant;

import dev.freshet.actors.catalog.Catalog;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one entry point: Qdrant as the node's vector index, following its catalog. */
public final class QdrantVectors {

  private static final Logger log = LoggerFactory.getLogger(QdrantVectors.class);

  private QdrantVectors() {}

  /**
   * Connects to Qdrant (no request is made here: the node starts even with Qdrant down), follows
   * the catalog into the collection and answers searches from it. The client is closed in
   * Coordinated Shutdown's {@code service-stop} phase.
   */
  public static QdrantVectorIndex start(
      QdrantSettings settings, Catalog catalog, ActorSystem<?> system) {
    QdrantSettings.Endpoint endpoint = settings.endpoint();
    ManagedChannelBuilder<?> channel =
        ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.port())
            .userAgent("freshet qdrant-java-client");
    if (endpoint.tls()) channel.useTransportSecurity();
    else channel.usePlaintext();
    ManagedChannel built = channel.build();
    QdrantGrpcClient.Builder grpc =
        // no version check: it is a blocking call at construction, and Qdrant may be down
        QdrantGrpcClient.newBuilder(built, true, false);
    settings.apiKey().ifPresent(grpc::withApiKey);
    QdrantVectorIndex index =
        open(settings, catalog, new QdrantClient(grpc.build()), built::resetConnectBackoff);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "freshet-qdrant-close",
            // closing waits for the writer and the channel: not on the dispatcher's thread
            () -> CompletableFuture.runAsync(index::close).thenApply(closed -> Done.getInstance()));
    log.info(
        "qdrant vector index started host={} port={} tls={} apiKey={} collection={}",
        endpoint.host(),
        endpoint.port(),
        endpoint.tls(),
        settings.apiKey().isPresent(),
        settings.collection());
    return index;
  }

  /**
   * The index on a client the caller built; it owns the client from now on ({@link
   * QdrantVectorIndex#close()} closes it).
   */
  public static QdrantVectorIndex open(
      QdrantSettings settings, Catalog catalog, QdrantClient client) {
    return open(settings, catalog, client, () -> {});
  }

  /**
   * As {@link #open(QdrantSettings, Catalog, QdrantClient)}; {@code reconnectNow} (the channel's
   * {@code resetConnectBackoff}) is run before the sync retries a write Qdrant was unavailable for.
   */
  public static QdrantVectorIndex open(
      QdrantSettings settings, Catalog catalog, QdrantClient client, Runnable reconnectNow) {
    QdrantMetrics metrics = new QdrantMetrics();
    CircuitBreaker breaker =
        new CircuitBreaker(
            settings.breakerMaxFailures(),
            settings.breakerResetTimeout().toNanos(),
            System::nanoTime);
    QdrantCatalogSync sync =
        new QdrantCatalogSync(client, settings, metrics, breaker, reconnectNow);
    sync.start();
    catalog.onChanges(sync);
    return new QdrantVectorIndex(client, settings, sync, metrics, breaker);
  }
}
