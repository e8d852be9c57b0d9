package dev.freshet.actors.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One refresh at a time, and one more after it for whatever was heard while it ran. */
class CatalogReplicatorTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * A store that reports each read as it starts and finishes it only when released; it stays at
   * version 0.
   */
  private static final class GatedStore implements CatalogStore {
    final BlockingQueue<Long> reads = new LinkedBlockingQueue<>();
    final Semaphore release = new Semaphore(0);

    @Override
    public List<Item> upsert(List<ItemUpsert> upserts) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CatalogChanges changesSince(long version) {
      reads.add(version);
      try {
        release.tryAcquire(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new CatalogChanges(List.of(), 0);
    }
  }

  @Test
  void changesHeardDuringARefreshMakeOneMoreAndOldOnesNone() throws Exception {
    GatedStore store = new GatedStore();
    Catalog catalog = new Catalog(store, Executors.newCachedThreadPool());
    var replicator = testKit.spawn(CatalogReplicator.create(catalog, Duration.ofHours(1)));

    replicator.tell(new CatalogReplicator.Changed(5));
    assertThat(store.reads.poll(5, TimeUnit.SECONDS)).isNotNull();
    replicator.tell(new CatalogReplicator.Changed(6));
    replicator.tell(new CatalogReplicator.Changed(7));
    assertThat(store.reads.poll(300, TimeUnit.MILLISECONDS)).isNull(); // one refresh at a time

    store.release.release();
    assertThat(store.reads.poll(5, TimeUnit.SECONDS))
        .isNotNull(); // once more, for 6 and 7 together
    store.release.release();
    assertThat(store.reads.poll(300, TimeUnit.MILLISECONDS)).isNull();

    replicator.tell(new CatalogReplicator.Changed(0)); // not newer than this node's version
    assertThat(store.reads.poll(300, TimeUnit.MILLISECONDS)).isNull();
    replicator.tell(new CatalogReplicator.Changed(8));
    assertThat(store.reads.poll(5, TimeUnit.SECONDS)).isNotNull();
    store.release.release();
    testKit.stop(replicator);
  }
}
