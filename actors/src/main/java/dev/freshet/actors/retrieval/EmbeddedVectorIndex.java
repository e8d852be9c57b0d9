package dev.freshet.actors.retrieval;

import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vector index inside the node: Lucene's HNSW graph over the catalog's item embeddings, chosen
 * by measurement against JVector and hnswlib (bench/README.md, "Embedded vector index libraries":
 * the best recall and queries/s at 100k × 64, and a filter that runs inside the graph search).
 *
 * <p>It follows the catalog as a {@link Catalog.ChangeListener}: changes are queued to one indexer
 * thread, which adds each new or changed embedding to the graph under the write lock (searches take
 * the read lock; Lucene's graph is not safe to search while a node is added). Until a change is in
 * the graph its item is "pending": every query scans the pending items exactly and ignores their
 * old graph nodes, so a query sees the catalog as the node does, within the catalog's own second.
 *
 * <p>HNSW cannot delete. A node whose item changed its embedding or lost it is dead (skipped by the
 * filter); archived and flagged items stay in the graph and are skipped by the query's filter,
 * since a status can flip back. Once dead nodes are {@code rebuild-dead-share} of the graph it is
 * rebuilt on the indexer thread while the old one serves, then swapped. A large batch of changes
 * (the first catalog load, a bulk import) is folded in by such a rebuild too, because adding node
 * by node under the lock would stall searches for as long.
 *
 * <p>Filtering never shrinks an answer silently: the filter runs inside the graph search, and a
 * query whose filter leaves few items (a narrow category, a user who has seen most of the pool) or
 * whose search visits too many rejected nodes is answered by an exact scan of the items the filter
 * accepts, as Lucene's own {@code KnnFloatVectorQuery} does.
 */
public final class EmbeddedVectorIndex
    implements VectorIndex, Catalog.ChangeListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedVectorIndex.class);
  private static final VectorSimilarityFunction COSINE = VectorSimilarityFunction.COSINE;

  private final EmbeddedIndexSettings settings;
  private final ExecutorService indexer;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Replaced (and changed) only by the indexer thread, under the write lock. */
  private volatile Graph graph;

  private final Object pendingLock = new Object();
  private final Map<Integer, Integer> pendingCounts = new HashMap<>(); // guarded by pendingLock
  private volatile Pending pending = Pending.NONE;

  private volatile int dimension;
  private volatile boolean building;
  private volatile long lastBuildMillis;
  private volatile long lastChangeAtMillis;
  private final AtomicLong skippedDimension = new AtomicLong();
  private final AtomicLong rebuilds = new AtomicLong();

  public EmbeddedVectorIndex(EmbeddedIndexSettings settings) {
    this.settings = settings;
    this.indexer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "freshet-vector-indexer");
              t.setDaemon(true);
              // building the graph must not take the cores from serving
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            });
  }

  @Override
  public String kind() {
    return "embedded";
  }

  // ---- following the catalog -------------------------------------------------------------------

  @Override
  public void changed(List<Item> items, CatalogSnapshot snapshot) {
    List<Item> copy = List.copyOf(items);
    synchronized (pendingLock) {
      for (Item item : copy) pendingCounts.merge(item.denseId(), 1, Integer::sum);
      publishPending();
    }
    indexer.execute(() -> apply(copy));
  }

  /** Applies one change on the indexer thread; whatever fails, the items stop being pending. */
  private void apply(List<Item> items) {
    try {
      if (dimension == 0) dimension = firstDimension(items);
      if (dimension == 0) return;
      Graph current = graph;
      Map<Integer, float[]> changes = vectorsOf(items);
      if (current == null || changes.size() > Math.max(5_000, current.live() / 2)) {
        rebuild(current, changes);
      } else {
        for (Map.Entry<Integer, float[]> change : changes.entrySet()) {
          lock.writeLock().lock();
          try {
            current.put(change.getKey(), change.getValue());
          } finally {
            lock.writeLock().unlock();
          }
        }
        if (current.dead() > Math.max(1_000, settings.rebuildDeadShare() * current.size()))
          rebuild(current, Map.of());
      }
    } catch (Throwable failure) {
      // the graph keeps serving what it holds; the next change or rebuild brings it up to date
      log.error("vector index change failed items={}", items.size(), failure);
    } finally {
      lastChangeAtMillis = System.currentTimeMillis();
      synchronized (pendingLock) {
        for (Item item : items)
          pendingCounts.computeIfPresent(item.denseId(), (k, n) -> n == 1 ? null : n - 1);
        publishPending();
      }
    }
  }

  /**
   * Per changed item its new vector, or null when it has none the index can hold (no embedding, a
   * zero one, or another dimension than the index's: counted).
   */
  private Map<Integer, float[]> vectorsOf(List<Item> items) {
    Map<Integer, float[]> changes = new HashMap<>();
    for (Item item : items) {
      float[] e = item.embedding();
      if (e != null && e.length != dimension) {
        skippedDimension.incrementAndGet();
        e = null;
      }
      changes.put(item.denseId(), e == null || norm(e) == 0 ? null : e);
    }
    return changes;
  }

  private static int firstDimension(List<Item> items) {
    for (Item item : items) {
      float[] e = item.embedding();
      if (e != null && e.length > 0) return e.length;
    }
    return 0;
  }

  /** A new graph from the live vectors of {@code current} with {@code changes} applied; swapped. */
  private void rebuild(Graph current, Map<Integer, float[]> changes) throws IOException {
    building = true;
    long start = System.nanoTime();
    try {
      Graph next = new Graph(dimension, settings);
      int bound = current == null ? 0 : current.denseBound();
      for (int key : changes.keySet()) bound = Math.max(bound, key + 1);
      for (int dense = 0; dense < bound; dense++) {
        float[] v =
            changes.containsKey(dense)
                ? changes.get(dense)
                : current == null ? null : current.vectorOf(dense);
        if (v != null) next.put(dense, v);
      }
      lock.writeLock().lock();
      try {
        graph = next;
      } finally {
        lock.writeLock().unlock();
      }
      lastBuildMillis = (System.nanoTime() - start) / 1_000_000;
      rebuilds.incrementAndGet();
      log.info(
          "vector index built items={} dimension={} millis={} bytes={}",
          next.live(),
          dimension,
          lastBuildMillis,
          next.bytes());
    } finally {
      building = false;
    }
  }

  private void publishPending() {
    int[] ids = pendingCounts.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    pending = new Pending(ids, RoaringBitmap.bitmapOf(ids));
  }

  private record Pending(int[] ids, RoaringBitmap set) {
    static final Pending NONE = new Pending(new int[0], new RoaringBitmap());
  }

  // ---- searching -------------------------------------------------------------------------------

  @Override
  public CompletionStage<Neighbours> nearest(NeighbourQuery query) {
    try {
      return CompletableFuture.completedFuture(search(query));
    } catch (Exception failure) {
      return CompletableFuture.failedFuture(failure);
    }
  }

  /** The answer, in the caller's thread. */
  public Neighbours search(NeighbourQuery query) throws IOException {
    Pending now = pending;
    if (now.ids().length > settings.maxPendingScan())
      throw new IndexUnavailable(
          "vector index building (" + now.ids().length + " changes pending)");
    int dim = dimension;
    float[] unit = unit(query.vector());
    if (dim == 0 || unit == null || query.vector().length != dim) return Neighbours.none();
    BestK best = new BestK(query.k());
    lock.readLock().lock();
    try {
      Graph g = graph;
      if (g != null && g.live() > 0) {
        int accepted = acceptedAtMost(query);
        if (accepted <= settings.exactBelow() || !searchGraph(g, query, now, accepted, best)) {
          best = new BestK(query.k());
          exactScan(query, unit, best);
          return best.drain(); // the scan covered the pending items too
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    for (int dense : now.ids()) offerExact(query, unit, dense, best);
    return best.drain();
  }

  /**
   * Searches the graph with the query's filter inside; false when it gave up because it visited
   * more nodes than the filter accepts (an exact scan is cheaper then, and complete).
   */
  private boolean searchGraph(Graph g, NeighbourQuery query, Pending now, int accepted, BestK best)
      throws IOException {
    Bits accept =
        new Bits() {
          @Override
          public boolean get(int ord) {
            int dense = g.denseOf(ord);
            return g.isLive(ord) && !now.set().contains(dense) && query.accepts(dense);
          }

          @Override
          public int length() {
            return g.size();
          }
        };
    var scorer =
        DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(COSINE, g.values, query.vector());
    int beam = Math.max(settings.searchBeam(), query.k());
    KnnCollector collector =
        HnswGraphSearcher.search(scorer, beam, g.hnsw(), accept, Math.max(accepted, 4 * beam));
    if (collector.earlyTerminated()) return false;
    for (ScoreDoc doc : collector.topDocs().scoreDocs) {
      // Lucene's cosine score is (1 + cos) / 2
      best.offer(g.denseOf(doc.doc), 2 * doc.score - 1);
    }
    return true;
  }

  /** An upper bound of the items the query accepts: active (of its category) less the excluded. */
  private static int acceptedAtMost(NeighbourQuery query) {
    CatalogSnapshot catalog = query.catalog();
    int pool =
        query
            .category()
            .map(
                c -> {
                  RoaringBitmap b = catalog.activeBitmapsByCategory().get(c);
                  return b == null ? 0 : b.getCardinality();
                })
            .orElse(catalog.activeCount());
    int excludedActive =
        query.category().isPresent()
            ? 0 // a lower bound would need an intersection; the pool alone bounds it
            : RoaringBitmap.andCardinality(catalog.activeBitmap(), query.excluded());
    return pool - excludedActive;
  }

  private static void exactScan(NeighbourQuery query, float[] unit, BestK best) {
    CatalogSnapshot catalog = query.catalog();
    RoaringBitmap pool =
        query
            .category()
            .map(c -> catalog.activeBitmapsByCategory().getOrDefault(c, new RoaringBitmap()))
            .orElse(catalog.activeBitmap());
    RoaringBitmap.andNot(pool, query.excluded())
        .forEach((int dense) -> offerExact(query, unit, dense, best));
  }

  private static void offerExact(NeighbourQuery query, float[] unit, int dense, BestK best) {
    if (!query.accepts(dense)) return;
    float[] e = query.catalog().byDenseId(dense).embedding();
    double norm = query.catalog().embeddingNorm(dense);
    if (e == null || e.length != unit.length || norm == 0) return;
    double dot = 0;
    for (int d = 0; d < unit.length; d++) dot += unit[d] * e[d];
    best.offer(dense, (float) (dot / norm));
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) sum += x * x;
    return Math.sqrt(sum);
  }

  private static float[] unit(float[] v) {
    double n = norm(v);
    if (n == 0 || Double.isNaN(n) || Double.isInfinite(n)) return null;
    float[] u = new float[v.length];
    for (int d = 0; d < v.length; d++) u[d] = (float) (v[d] / n);
    return u;
  }

  // ---- status ----------------------------------------------------------------------------------

  @Override
  public IndexStatus status() {
    Graph g = graph;
    int pendingNow = pending.ids().length;
    String state;
    if (dimension == 0 && g == null) state = pendingNow > 0 || building ? "building" : "empty";
    else if ((g == null && building) || pendingNow > settings.maxPendingScan()) state = "building";
    else state = "ready";
    return new IndexStatus(
        kind(),
        state,
        g == null ? 0 : g.live(),
        pendingNow,
        dimension,
        g == null ? 0 : g.bytes(),
        lastBuildMillis,
        lastChangeAtMillis);
  }

  /** Items skipped because their embedding's dimension differs from the index's. */
  public long skippedDimension() {
    return skippedDimension.get();
  }

  /** Full builds so far (the first load, large batches, and rebuilds for dead nodes). */
  public long rebuilds() {
    return rebuilds.get();
  }

  /** Waits until every change handed in so far is in the graph (tests, benchmarks, shutdown). */
  public void awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
    CompletableFuture<Void> marker = new CompletableFuture<>();
    indexer.execute(() -> marker.complete(null));
    try {
      marker.get(timeout, unit);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("vector index still busy after " + timeout + " " + unit, e);
    }
  }

  @Override
  public void close() {
    indexer.shutdownNow();
  }

  // ---- the graph -------------------------------------------------------------------------------

  /**
   * One HNSW graph and the maps between its ordinals (in the order vectors were added) and dense
   * ids. The vectors are the catalog items' own arrays, not copies.
   */
  private static final class Graph {
    private final List<float[]> vectors = new ArrayList<>();
    final RandomAccessVectorValues.Floats values;
    private final HnswGraphBuilder builder;
    private int[] ordToDense = new int[1024];
    private int[] denseToOrd = new int[0];
    private int dead;

    Graph(int dimension, EmbeddedIndexSettings settings) throws IOException {
      values = RandomAccessVectorValues.fromFloats(vectors, dimension);
      builder =
          HnswGraphBuilder.create(
              DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(COSINE, values),
              settings.maxConnections(),
              settings.beamWidth(),
              settings.seed());
    }

    OnHeapHnswGraph hnsw() {
      return builder.getGraph();
    }

    /** Adds the item's vector (a dead node for its old one), or kills its node when null. */
    void put(int dense, float[] vector) throws IOException {
      int old = ordOf(dense);
      if (vector == null) {
        if (old >= 0) {
          denseToOrd[dense] = -1;
          dead++;
        }
        return;
      }
      if (old >= 0 && Arrays.equals(vectors.get(old), vector)) return;
      int ord = vectors.size();
      vectors.add(vector);
      if (ord >= ordToDense.length) ordToDense = Arrays.copyOf(ordToDense, ordToDense.length * 2);
      ordToDense[ord] = dense;
      if (dense >= denseToOrd.length) {
        int from = denseToOrd.length;
        denseToOrd = Arrays.copyOf(denseToOrd, Math.max(dense + 1, from * 2));
        Arrays.fill(denseToOrd, from, denseToOrd.length, -1);
      }
      denseToOrd[dense] = ord;
      if (old >= 0) dead++;
      builder.addGraphNode(ord);
    }

    int ordOf(int dense) {
      return dense < denseToOrd.length ? denseToOrd[dense] : -1;
    }

    float[] vectorOf(int dense) {
      int ord = ordOf(dense);
      return ord < 0 ? null : vectors.get(ord);
    }

    int denseOf(int ord) {
      return ordToDense[ord];
    }

    boolean isLive(int ord) {
      return denseToOrd[ordToDense[ord]] == ord;
    }

    int denseBound() {
      return denseToOrd.length;
    }

    int size() {
      return vectors.size();
    }

    int dead() {
      return dead;
    }

    int live() {
      return vectors.size() - dead;
    }

    /** The graph and the id maps; the vectors are the catalog's and counted there. */
    long bytes() {
      return hnsw().ramBytesUsed()
          + 4L * ordToDense.length
          + 4L * denseToOrd.length
          + 8L * vectors.size();
    }
  }
}
