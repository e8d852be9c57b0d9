package dev.freshet.actors.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CatalogTest {

  /** A store whose reads block until released, counting how many were made. */
  private static final class SlowStore implements CatalogStore {
    final AtomicInteger reads = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final List<Item> items = new ArrayList<>();

    @Override
    public List<Item> upsert(List<ItemUpsert> upserts) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CatalogChanges changesSince(long version) {
      reads.incrementAndGet();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (items) {
        return new CatalogChanges(List.copyOf(items), items.size());
      }
    }
  }

  @Test
  void concurrentRefreshesShareOneRunningAndOneQueuedRead() throws Exception {
    SlowStore store = new SlowStore();
    Catalog catalog = new Catalog(store, Executors.newFixedThreadPool(4));

    CompletableFuture<CatalogSnapshot> first = catalog.refreshAsync().toCompletableFuture();
    // arrives while the first read runs: must see a read that starts after it asked
    synchronized (store.items) {
      store.items.add(TestCatalogs.item(0, "a", 1, ItemStatus.ACTIVE));
    }
    List<CompletableFuture<CatalogSnapshot>> later = new ArrayList<>();
    for (int i = 0; i < 100; i++) later.add(catalog.refreshAsync().toCompletableFuture());
    store.release.countDown();

    first.get(10, TimeUnit.SECONDS);
    for (CompletableFuture<CatalogSnapshot> f : later) {
      assertThat(f.get(10, TimeUnit.SECONDS).byId("item-0")).isPresent();
    }
    assertThat(store.reads.get()).isEqualTo(2);
    assertThat(catalog.snapshot().byId("item-0")).isPresent();
  }

  @Test
  void aRefreshThatEndsAtOnceLeavesTheNextOneFree() throws Exception {
    SlowStore store = new SlowStore();
    store.release.countDown(); // every read returns at once
    Catalog catalog = new Catalog(store, Executors.newFixedThreadPool(2));

    for (int i = 0; i < 50; i++) {
      // each call after the previous has ended must start a read of its own, never hang
      catalog.refreshAsync().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    assertThat(store.reads.get()).isEqualTo(50);
  }
}
