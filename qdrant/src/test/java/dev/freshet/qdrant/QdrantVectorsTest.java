package dev.freshet.qdrant;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.retrieval.IndexUnavailable;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.Neighbours;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * The entry point the node calls, over a real plaintext socket: the node starts with Qdrant down,
 * searches fail their stage, the sync catches up once Qdrant listens, and Coordinated Shutdown
 * stops the sync and closes the client. Always against {@link FakeQdrant} on a local port (it
 * starts Qdrant late, which a shared real instance cannot).
 */
class QdrantVectorsTest {

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  private static boolean syncThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("freshet-qdrant-sync") && t.isAlive());
  }

  @Test
  void startsWithQdrantDownCatchesUpWhenItListensAndClosesOnShutdown() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    QdrantSettings settings =
        QdrantSettings.fromConfig(
            ConfigFactory.parseString(
                    "freshet.vectors.qdrant { url = \"http://127.0.0.1:"
                        + port
                        + "\", request-timeout = 2s, retry-backoff-min = 20ms,"
                        + " retry-backoff-max = 100ms, breaker-reset-timeout = 100ms }")
                .withFallback(ConfigFactory.defaultReference())
                .resolve(),
            Map.of());
    ExecutorService executor = Executors.newFixedThreadPool(2);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "qdrant-vectors-test");
    FakeQdrant qdrant = null;
    try {
      Catalog catalog = new Catalog(new MemoryCatalogStore(), executor);
      QdrantVectorIndex index = QdrantVectors.start(settings, catalog, system);
      catalog
          .upsert(
              List.of(
                  new ItemUpsert(
                      "a", "c", List.of(), 0L, ItemStatus.ACTIVE, 1, new float[] {1, 0}, "{}"),
                  new ItemUpsert(
                      "b", "c", List.of(), 0L, ItemStatus.ACTIVE, 1, new float[] {0, 1}, "{}")))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      NeighbourQuery query =
          new NeighbourQuery(
              new float[] {1, 0.1f}, 2, Optional.empty(), new RoaringBitmap(), catalog.snapshot());

      await("a failed write", () -> index.metrics().failedBatches() >= 1);
      try {
        index.nearest(query).toCompletableFuture().get(5, TimeUnit.SECONDS);
        throw new AssertionError("a search answered with Qdrant down");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(IndexUnavailable.class);
      }
      assertThat(index.status().pending()).isEqualTo(2);

      qdrant = new FakeQdrant(port);
      await("the sync to catch up", () -> index.status().pending() == 0);
      await("the breaker to let a probe out", () -> !index.status().state().equals("open"));
      Neighbours answer = index.nearest(query).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(answer.denseIds()).containsExactly(0, 1);
      assertThat(syncThreadAlive()).isTrue();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
      if (qdrant != null) qdrant.close();
      executor.shutdownNow();
    }
    await("the sync to stop", () -> !syncThreadAlive());
  }
}
