package dev.freshet.actors.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * This node's copy of the catalog: the latest {@link CatalogSnapshot} plus the means to change the
 * durable catalog and to catch up with changes made on other nodes. Readers never block: they take
 * the current snapshot. Writers and refreshes run on the blocking executor given at construction.
 */
public final class Catalog {

  private final CatalogStore store;
  private final Executor blockingExecutor;
  private final AtomicReference<CatalogSnapshot> current =
      new AtomicReference<>(CatalogSnapshot.empty());
  private final Object refreshLock = new Object();
  private final Object refreshQueue = new Object();
  private CompletableFuture<CatalogSnapshot> runningRefresh; // guarded by refreshQueue
  private CompletableFuture<CatalogSnapshot> queuedRefresh; // guarded by refreshQueue
  private volatile LongConsumer localChangeListener = version -> {};
  private final List<ChangeListener> changeListeners = new CopyOnWriteArrayList<>();

  /**
   * Told every change this node's copy takes, in the order taken: the items as changed and the
   * snapshot that now holds them. Called on the refreshing thread, so it must only hand the changes
   * on (the vector indexes queue them).
   */
  public interface ChangeListener {
    void changed(List<Item> items, CatalogSnapshot snapshot);
  }

  public Catalog(CatalogStore store, Executor blockingExecutor) {
    this.store = store;
    this.blockingExecutor = blockingExecutor;
  }

  public CatalogSnapshot snapshot() {
    return current.get();
  }

  /**
   * Durably upserts the items, then makes them visible on this node before completing, so a client
   * that reads its own write through the same node sees it.
   */
  public CompletionStage<List<Item>> upsert(List<ItemUpsert> items) {
    return CompletableFuture.supplyAsync(
        () -> {
          List<Item> stored = store.upsert(items);
          localChangeListener.accept(refresh().version());
          return stored;
        },
        blockingExecutor);
  }

  /** Called with the new version after each change made through this node (to tell the others). */
  public void onLocalChange(LongConsumer listener) {
    this.localChangeListener = listener;
  }

  /**
   * Adds a listener of the changes taken from now on, and tells it the current snapshot's items
   * first (as one change), so it misses nothing between the two.
   */
  public void onChanges(ChangeListener listener) {
    synchronized (refreshLock) {
      changeListeners.add(listener);
      CatalogSnapshot now = current.get();
      List<Item> all = new ArrayList<>(now.size());
      for (int id = 0; id < now.denseIdBound(); id++) {
        Item item = now.byDenseId(id);
        if (item != null) all.add(item);
      }
      if (!all.isEmpty()) listener.changed(all, now);
    }
  }

  /** Loads whatever changed since the current snapshot; blocking. One refresh runs at a time. */
  public CatalogSnapshot refresh() {
    synchronized (refreshLock) {
      CatalogSnapshot before = current.get();
      CatalogStore.CatalogChanges changes = store.changesSince(before.version());
      CatalogSnapshot after = before.withChanges(changes.items(), changes.version());
      current.set(after);
      if (!changes.items().isEmpty())
        for (ChangeListener listener : changeListeners) listener.changed(changes.items(), after);
      return after;
    }
  }

  /**
   * Catches up with the store without blocking the caller. Concurrent callers share work: at most
   * one refresh runs and one more is queued, which every caller arriving meanwhile joins; a flood
   * of lookups of unknown ids therefore costs the database two queries at a time, not one per
   * request, and still every caller gets a refresh that started after it asked.
   */
  public CompletionStage<CatalogSnapshot> refreshAsync() {
    synchronized (refreshQueue) {
      if (runningRefresh == null) return launch();
      if (queuedRefresh == null) queuedRefresh = new CompletableFuture<>();
      return queuedRefresh;
    }
  }

  /**
   * Starts a refresh; called holding {@code refreshQueue}, so it is registered before it can end.
   */
  private CompletableFuture<CatalogSnapshot> launch() {
    CompletableFuture<CatalogSnapshot> started = new CompletableFuture<>();
    runningRefresh = started;
    blockingExecutor.execute(
        () -> {
          try {
            started.complete(refresh());
          } catch (Throwable failure) {
            started.completeExceptionally(failure);
          }
          finished();
        });
    return started;
  }

  /** A refresh ended: start the queued one, if any, and hand its result to the queued callers. */
  private void finished() {
    synchronized (refreshQueue) {
      CompletableFuture<CatalogSnapshot> queued = queuedRefresh;
      queuedRefresh = null;
      if (queued == null) {
        runningRefresh = null;
        return;
      }
      launch()
          .whenComplete(
              (snapshot, failure) -> {
                if (failure != null) queued.completeExceptionally(failure);
                else queued.complete(snapshot);
              });
    }
  }

  /**
   * Looks an item up, catching up with the store once if it is unknown here: another node may have
   * added it less than a refresh interval ago.
   */
  public CompletionStage<Optional<Item>> find(String id) {
    Optional<Item> known = snapshot().byId(id);
    if (known.isPresent()) return CompletableFuture.completedFuture(known);
    return refreshAsync().thenApply(s -> s.byId(id));
  }
}
