package dev.freshet.actors.pool;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogStore;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** A catalog in memory, a generator the test answers for, signals and settings. */
final class PoolTesting {
  private PoolTesting() {}

  /** Items by dense id in insertion order; the version is the number of changes. */
  static final class MemoryStore implements CatalogStore {
    private final List<Item> items = new ArrayList<>();
    private long version;

    @Override
    public synchronized List<Item> upsert(List<ItemUpsert> upserts) {
      List<Item> stored = new ArrayList<>();
      for (ItemUpsert u : upserts) {
        int existing = -1;
        for (Item i : items) if (i.id().equals(u.id())) existing = i.denseId();
        Item item = u.stored(existing >= 0 ? existing : items.size());
        if (existing >= 0) items.set(existing, item);
        else items.add(item);
        stored.add(item);
      }
      version++;
      return stored;
    }

    @Override
    public synchronized CatalogChanges changesSince(long version) {
      return new CatalogChanges(List.copyOf(items), version);
    }
  }

  static Catalog catalog(int items) {
    Catalog catalog = new Catalog(new MemoryStore(), Executors.newFixedThreadPool(2));
    List<ItemUpsert> upserts = new ArrayList<>();
    for (int i = 0; i < items; i++) upserts.add(upsert("seed-" + i, "c" + (i % 4)));
    if (!upserts.isEmpty()) catalog.upsert(upserts).toCompletableFuture().join();
    return catalog;
  }

  static ItemUpsert upsert(String id, String category) {
    return new ItemUpsert(id, category, List.of(), 0L, ItemStatus.ACTIVE, 1.0, null, "{}");
  }

  /**
   * A generator whose every call waits until the test answers it (or answers at once when told to):
   * the calls it got, in order.
   */
  static final class Generator implements PoolGenerator {
    final List<GenerationRequest> calls = new CopyOnWriteArrayList<>();
    final Map<String, CompletableFuture<List<ItemUpsert>>> answers = new ConcurrentHashMap<>();
    volatile boolean answerAtOnce;

    @Override
    public String name() {
      return "test";
    }

    @Override
    public synchronized CompletionStage<List<ItemUpsert>> generate(GenerationRequest request) {
      // the answer is there before the call is counted: a test that saw the call finds its answer
      CompletableFuture<List<ItemUpsert>> answer =
          answers.computeIfAbsent(
              request.id() + "#" + (calls.size() + 1), k -> new CompletableFuture<>());
      calls.add(request);
      if (answerAtOnce) answer.complete(items(request));
      return answer;
    }

    /** The answer to the {@code n}th call (1 = first). */
    CompletableFuture<List<ItemUpsert>> answer(int n) {
      GenerationRequest r = calls.get(n - 1);
      return answers.get(r.id() + "#" + n);
    }

    long callsFor(String requestId) {
      return calls.stream().filter(r -> r.id().equals(requestId)).count();
    }

    /** Items named after the request, as the demo generator does. */
    static List<ItemUpsert> items(GenerationRequest r) {
      List<ItemUpsert> items = new ArrayList<>();
      String category = r.category() == null ? "any" : r.category();
      for (int i = 0; i < r.count(); i++) items.add(upsert("gen-" + r.id() + "-" + i, category));
      return items;
    }
  }

  static PoolLowSignal signal(String user, double threshold, int wanted, String category) {
    return new PoolLowSignal(
        user, threshold, wanted, threshold >= 0.95, category, null, System.currentTimeMillis());
  }

  static PoolCoordinator.RiskReport risk(String user, int unseen, int bound) {
    return new PoolCoordinator.RiskReport(user, unseen, true, bound, System.currentTimeMillis());
  }

  static PoolCoordinator.RiskReport left(String user) {
    return new PoolCoordinator.RiskReport(user, 10, false, 0, System.currentTimeMillis());
  }

  /**
   * The defaults, with a window and a tick long enough that tests drive both (through {@code Flush}
   * and {@code Tick}) unless they say otherwise.
   */
  static PoolSettings settings(Map<String, Object> overrides) {
    Map<String, Object> values = new java.util.HashMap<>();
    values.put("freshet.pool.window", "1h");
    values.put("freshet.pool.persist-interval", "1h");
    values.put("freshet.pool.retry.min-backoff", "1h");
    values.put("freshet.pool.retry.max-backoff", "2h");
    values.putAll(overrides);
    return PoolSettings.fromConfig(
        ConfigFactory.parseMap(values).withFallback(ConfigFactory.defaultReference()));
  }

  static void await(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
