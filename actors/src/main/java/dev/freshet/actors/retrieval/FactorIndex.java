package dev.freshet.actors.retrieval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntPredicate;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maximum-inner-product top-k over a trained model's item factors: "the items this user's CF vector
 * scores highest", a candidate source for collaborative filtering.
 *
 * <p>A small model is answered by an exact scan, a tight loop over the factor array: at a
 * MovieLens-size catalog that takes well under a millisecond and needs no build at all. A model of
 * more than {@link FactorIndexSettings#exactUpTo} items gets an HNSW graph (Lucene's, as {@link
 * EmbeddedVectorIndex} uses) built with Lucene's maximum-inner-product similarity, the graph's
 * ordinals being the items' dense ids. Scores are dot products, not cosines: an item's norm is part
 * of its CF score (popular items' factors are longer), so the vectors are not normalised.
 *
 * <p>The filter runs inside the graph search. A query whose filter is estimated to accept few items
 * (from a fixed sample of ids), or whose search visits more nodes than the filter accepts, or that
 * finds fewer than {@code k} items, is answered by the exact scan instead: a filter never shrinks
 * an answer silently.
 *
 * <p>Immutable once built and safe for any number of concurrent searches: the graph is complete
 * before the constructor returns and each search has its own Lucene searcher and scorer. The factor
 * array is the model's own, held and not copied (the model's contract is that nobody modifies it).
 * Both paths rank by the same dot product, and equal scores keep the lower id, so an answer is the
 * same in every run.
 */
public final class FactorIndex {

  private static final Logger log = LoggerFactory.getLogger(FactorIndex.class);

  /** Ids a query's filter is tried on to estimate how many items it accepts. */
  private static final int FILTER_SAMPLE = 512;

  /** The golden ratio's fraction: sample positions that never line up with a periodic filter. */
  private static final double PHI_FRACTION = 0.6180339887498949;

  private final FactorRows rows;
  private final int items;
  private final int factors;
  private final FactorIndexSettings settings;
  private final OnHeapHnswGraph graph; // null: answered by exact scan
  private final long buildMillis;

  private FactorIndex(
      FactorRows rows,
      int items,
      int factors,
      FactorIndexSettings settings,
      OnHeapHnswGraph graph,
      long buildMillis) {
    this.rows = rows;
    this.items = items;
    this.factors = factors;
    this.settings = settings;
    this.graph = graph;
    this.buildMillis = buildMillis;
  }

  /** An index over {@code itemFactors} ({@code factors} per item, row-major) with the defaults. */
  public static FactorIndex build(float[] itemFactors, int factors) {
    return build(itemFactors, factors, FactorIndexSettings.defaults());
  }

  /**
   * An index over {@code itemFactors} ({@code factors} floats per item, row-major, the row index
   * being the dense id). Above {@code settings.exactUpTo()} items this builds a graph in the
   * caller's thread, which at a million items takes minutes: call it off the serving threads.
   */
  public static FactorIndex build(float[] itemFactors, int factors, FactorIndexSettings settings) {
    if (itemFactors == null) throw new IllegalArgumentException("no item factors");
    if (factors < 1) throw new IllegalArgumentException("factors must be >= 1, got " + factors);
    if (itemFactors.length % factors != 0)
      throw new IllegalArgumentException(
          itemFactors.length + " floats are not a whole number of " + factors + "-factor rows");
    for (int at = 0; at < itemFactors.length; at++)
      if (!Float.isFinite(itemFactors[at]))
        throw new IllegalArgumentException(
            "item " + at / factors + " has a non-finite factor: " + itemFactors[at]);
    int items = itemFactors.length / factors;
    FactorRows rows = new FactorRows(itemFactors, factors);
    if (items <= settings.exactUpTo())
      return new FactorIndex(rows, items, factors, settings, null, 0);

    long start = System.nanoTime();
    OnHeapHnswGraph graph;
    try {
      // one thread, so that the same factors give the same graph (Lucene's concurrent builder
      // interleaves insertions as the threads happen to run)
      graph =
          HnswGraphBuilder.create(
                  rows.scorerSupplier(),
                  settings.maxConnections(),
                  settings.beamWidth(),
                  settings.seed(),
                  items)
              .build(items);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // nothing here reads a file: the factors are on the heap
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    log.info(
        "factor index built items={} factors={} millis={} graphBytes={}",
        items,
        factors,
        millis,
        graph.ramBytesUsed());
    return new FactorIndex(rows, items, factors, settings, graph, millis);
  }

  /** The dense ids of the (at most) {@code k} items {@code accept} allows that score highest. */
  public int[] top(float[] user, int k, IntPredicate accept) {
    return search(user, k, accept).denseIds();
  }

  /**
   * The (at most) {@code k} items {@code accept} allows with the highest dot product with {@code
   * user}, best first (equal scores: lower id first), with their scores. Empty for {@code k <= 0}
   * or a null or zero vector.
   *
   * @throws IllegalArgumentException when {@code user} is not {@link #factors()} long or holds a
   *     NaN or infinity (whose scores could not be ordered)
   */
  public ScoredItems search(float[] user, int k, IntPredicate accept) {
    if (user == null || k <= 0) return ScoredItems.none();
    if (user.length != factors)
      throw new IllegalArgumentException(
          "user vector has " + user.length + " factors, the model " + factors);
    if (isZero(user) || items == 0) return ScoredItems.none();
    if (graph != null) {
      int accepted = acceptedEstimate(accept);
      if (accepted > settings.exactBelow()) {
        ScoredItems found = searchGraph(user, k, accept, accepted);
        if (found != null) return found;
      }
    }
    return exact(user, k, accept);
  }

  /** Every item the filter accepts, scored: the answer by definition. */
  ScoredItems exact(float[] user, int k, IntPredicate accept) {
    BestK best = new BestK(k);
    for (int item = 0; item < items; item++)
      if (accept.test(item)) best.offer(item, rows.dot(user, item));
    return ScoredItems.of(best.drain());
  }

  /**
   * The graph's answer, or null when an exact scan must answer instead: the search gave up after
   * visiting more nodes than the filter accepts (a scan is cheaper then), or found fewer than
   * {@code k} items (the graph may not reach every accepted item; a scan does).
   */
  private ScoredItems searchGraph(float[] user, int k, IntPredicate accept, int accepted) {
    int beam = Math.max(settings.searchBeam(), k);
    Bits acceptOrds =
        new Bits() {
          @Override
          public boolean get(int ord) {
            return accept.test(ord); // ordinals are dense ids
          }

          @Override
          public int length() {
            return items;
          }
        };
    KnnCollector collector;
    try {
      collector =
          HnswGraphSearcher.search(
              rows.scorer(user), beam, graph, acceptOrds, Math.max(accepted, 4 * beam));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (collector.earlyTerminated()) return null;
    ScoreDoc[] docs = collector.topDocs().scoreDocs;
    if (docs.length < Math.min(k, items)) return null;
    BestK best = new BestK(k);
    // rescored with the scan's own dot product: the same scores (and so the same order and ties)
    // as the exact path, rather than Lucene's scaled ones
    for (ScoreDoc doc : docs) best.offer(doc.doc, rows.dot(user, doc.doc));
    return ScoredItems.of(best.drain());
  }

  /** How many items the filter accepts, from {@link #FILTER_SAMPLE} ids spread over the range. */
  private int acceptedEstimate(IntPredicate accept) {
    int sample = Math.min(items, FILTER_SAMPLE);
    int hits = 0;
    for (int i = 0; i < sample; i++) {
      double position = (i * PHI_FRACTION) % 1.0;
      if (accept.test((int) (position * items))) hits++;
    }
    return (int) ((long) hits * items / sample);
  }

  /** The same graph searched with another beam (measuring recall against query time). */
  FactorIndex withSearchBeam(int beam) {
    return new FactorIndex(rows, items, factors, settings.withSearchBeam(beam), graph, buildMillis);
  }

  private static boolean isZero(float[] user) {
    boolean zero = true;
    for (float x : user) {
      if (!Float.isFinite(x))
        throw new IllegalArgumentException("user vector has a non-finite factor: " + x);
      if (x != 0) zero = false;
    }
    return zero;
  }

  public int items() {
    return items;
  }

  public int factors() {
    return factors;
  }

  /** Whether queries go to an HNSW graph ({@code false}: every query is an exact scan). */
  public boolean hasGraph() {
    return graph != null;
  }

  /** How long building the graph took (0 without one). */
  public long buildMillis() {
    return buildMillis;
  }

  /**
   * Approximate heap this index holds beyond the model: the graph (0 without one). The factor array
   * is the model's and counted there.
   */
  public long bytes() {
    return graph == null ? 0 : graph.ramBytesUsed();
  }
}
