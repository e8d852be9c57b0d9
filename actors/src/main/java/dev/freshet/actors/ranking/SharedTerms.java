package dev.freshet.actors.ranking;

import com.carrotsearch.hppc.sorting.IndirectSort;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.popularity.PopularityBoard;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of a score that do not depend on the user, in primitive arrays indexed by dense id:
 * catalog popularity and trending (weighted, per variant), freshness as of one time, and the item
 * embeddings without their zero entries. Computed once per catalog snapshot and popularity board
 * (and freshness half-life), so that a ranking adds only the user's own terms per candidate instead
 * of scoring every item from scratch. Immutable apart from the per-variant terms, which are added
 * on first use.
 *
 * <p>Freshness {@code exp(-ln2 · max(0, now − created) / halfLife)} is kept as of an anchor time
 * {@code t0} without the clamp, {@code exp(-ln2 · (t0 − created) / halfLife)}, and a ranking at
 * {@code now} multiplies it by {@code exp(-ln2 · (now − t0) / halfLife)} and clamps at 1: equal to
 * the direct formula within rounding, and exactly equal when {@code now == t0}. The terms are
 * recomputed when {@code now} is more than a half-life from the anchor, so that the factor stays
 * within [1/2, 2].
 */
final class SharedTerms {

  private static final double LN2 = Math.log(2);

  static {
    // Ranker.UserSignals.fastScore adds the terms in this order, as a direct score does
    if (!Arrays.equals(
        Feature.values(),
        new Feature[] {
          Feature.POPULARITY,
          Feature.TRENDING,
          Feature.FRESHNESS,
          Feature.CATEGORY_AFFINITY,
          Feature.TAG_AFFINITY,
          Feature.VECTOR_SIMILARITY,
          Feature.SESSION_SIMILARITY,
          Feature.INTENT_PENALTY,
          Feature.CF
        })) throw new IllegalStateException("fastScore must follow the features' order");
  }

  /** Per-variant terms kept for at most this many variants (a node has a handful). */
  private static final int MAX_VARIANTS = 8;

  final CatalogSnapshot catalog;
  final PopularityBoard board;
  final long halfLifeMillis;
  final long anchor;

  /** Freshness as of {@link #anchor}, not clamped at 1 (items created later are above it). */
  private final double[] freshness;

  /** Non-zero embedding entries per dense id: {@code dims/values[start[id]..start[id + 1])}. */
  private final int[] start;

  private final int[] dims;
  private final float[] values;

  /** The embedding's dimension per dense id, -1 without one. */
  private final int[] dimension;

  /** Per dense id its index in the whole active pool's serving order (-1 when not active). */
  private final int[] servingRank;

  private volatile ForVariant[] variants = new ForVariant[0];

  private SharedTerms(
      CatalogSnapshot catalog,
      PopularityBoard board,
      long halfLifeMillis,
      long anchor,
      double[] freshness,
      int[] start,
      int[] dims,
      float[] values,
      int[] dimension,
      int[] servingRank) {
    this.catalog = catalog;
    this.board = board;
    this.halfLifeMillis = halfLifeMillis;
    this.anchor = anchor;
    this.freshness = freshness;
    this.start = start;
    this.dims = dims;
    this.values = values;
    this.dimension = dimension;
    this.servingRank = servingRank;
  }

  /**
   * The terms for the context's catalog and board: those cached on the catalog snapshot when they
   * were computed for the same board and half-life and an anchor at most a half-life from {@code
   * now}, else new ones (cached in their place).
   */
  static SharedTerms of(RankingContext ctx, long halfLifeMillis) {
    CatalogSnapshot catalog = ctx.catalog();
    PopularityBoard board = ctx.popularity();
    long now = ctx.now();
    SharedTerms cached =
        catalog.rankingTerms() instanceof SharedTerms terms
                && terms.halfLifeMillis == halfLifeMillis
            ? terms
            : null;
    if (cached != null && cached.board == board && cached.anchorServes(now)) return cached;
    SharedTerms terms = compute(catalog, board, halfLifeMillis, now, cached);
    catalog.rankingTerms(terms);
    return terms;
  }

  private boolean anchorServes(long now) {
    return Math.abs(now - anchor) <= halfLifeMillis;
  }

  /**
   * New terms for {@code board} as of {@code now}; what depends on the catalog alone is taken from
   * {@code previous} (terms of the same snapshot) where it still serves.
   */
  static SharedTerms compute(
      CatalogSnapshot catalog,
      PopularityBoard board,
      long halfLifeMillis,
      long now,
      SharedTerms previous) {
    int n = catalog.denseIdBound();
    long anchor;
    double[] freshness;
    if (previous != null && previous.anchorServes(now)) {
      anchor = previous.anchor;
      freshness = previous.freshness;
    } else {
      anchor = now;
      freshness = new double[n];
      for (int id = 0; id < n; id++) {
        Item item = catalog.byDenseId(id);
        // the direct formula without max(0, ·): items created after the anchor are above 1
        if (item != null)
          freshness[id] =
              Math.exp(-LN2 * (anchor - item.createdAtMillis()) / (double) halfLifeMillis);
      }
    }
    if (previous != null) {
      return new SharedTerms(
          catalog,
          board,
          halfLifeMillis,
          anchor,
          freshness,
          previous.start,
          previous.dims,
          previous.values,
          previous.dimension,
          previous.servingRank);
    }
    int[] start = new int[n + 1];
    int[] dimension = new int[n];
    int nonZero = 0;
    for (int id = 0; id < n; id++) {
      Item item = catalog.byDenseId(id);
      float[] e = item == null ? null : item.embedding();
      dimension[id] = e == null ? -1 : e.length;
      if (e != null) for (float x : e) if (x != 0f) nonZero++;
    }
    int[] dims = new int[nonZero];
    float[] values = new float[nonZero];
    int at = 0;
    for (int id = 0; id < n; id++) {
      start[id] = at;
      Item item = catalog.byDenseId(id);
      float[] e = item == null ? null : item.embedding();
      if (e == null) continue;
      for (int d = 0; d < e.length; d++) {
        if (e[d] != 0f) {
          dims[at] = d;
          values[at++] = e[d];
        }
      }
    }
    start[n] = at;
    int[] servingRank = new int[n];
    Arrays.fill(servingRank, -1);
    int[] pool = catalog.activeInServingOrder(Optional.empty());
    for (int i = 0; i < pool.length; i++) servingRank[pool[i]] = i;
    return new SharedTerms(
        catalog,
        board,
        halfLifeMillis,
        anchor,
        freshness,
        start,
        dims,
        values,
        dimension,
        servingRank);
  }

  /** The item's index in the whole active pool's serving order; -1 when it is not active. */
  int servingRank(int denseId) {
    return servingRank[denseId];
  }

  /** What freshness as of the anchor is multiplied by to be freshness as of {@code now}. */
  double freshnessFactor(long now) {
    return Math.exp(-LN2 * (now - anchor) / (double) halfLifeMillis);
  }

  /** The item's freshness as of the time whose {@link #freshnessFactor} is {@code factor}. */
  double freshness(int denseId, double factor) {
    double f = freshness[denseId] * factor;
    return f > 1.0 ? 1.0 : f;
  }

  /**
   * Cosine of a unit vector and the item's embedding, over the embedding's non-zero entries: the
   * same sum as over all entries (a zero entry adds a zero product, which leaves the sum as it is).
   */
  double cosine(float[] unit, int denseId) {
    double norm = catalog.embeddingNorm(denseId);
    if (unit == null || dimension[denseId] != unit.length || norm == 0) return 0.0;
    double dot = 0;
    for (int k = start[denseId], end = start[denseId + 1]; k < end; k++)
      dot += unit[dims[k]] * values[k];
    return dot / norm;
  }

  /**
   * The indexes of {@code scores}, the highest score first and equal scores in index order (the
   * merge sort is stable). HPPC's indirect sort of primitive indexes takes half the time of boxed
   * indexes with a comparator, which was most of a new neutral order's time: the first ranking
   * after each new popularity board (every second under load) waits for it.
   */
  static int[] bestFirst(double[] scores) {
    return IndirectSort.mergesort(0, scores.length, (a, b) -> Double.compare(scores[b], scores[a]));
  }

  /** The variant's weights and user-independent score part, computed on first use. */
  ForVariant forVariant(Variant variant) {
    for (ForVariant v : variants) if (v.variant == variant) return v;
    ForVariant computed = new ForVariant(variant);
    synchronized (this) {
      for (ForVariant v : variants) if (v.variant == variant) return v;
      ForVariant[] now = variants;
      ForVariant[] next =
          now.length < MAX_VARIANTS
              ? Arrays.copyOf(now, now.length + 1)
              : Arrays.copyOfRange(now, 1, now.length + 1);
      next[next.length - 1] = computed;
      variants = next;
    }
    return computed;
  }

  /**
   * One variant's weights by category index, and per dense id the weighted sum of the features
   * before freshness (popularity and trending), added in feature order as in a direct score.
   */
  final class ForVariant {
    final Variant variant;
    private final double[][] weightsByCategory;
    private final double[] popular;

    private ForVariant(Variant variant) {
      this.variant = variant;
      int n = catalog.denseIdBound();
      // once per category, not per item: the lookup by name was most of this constructor's time
      weightsByCategory = new double[catalog.categoryCount()][];
      for (int c = 0; c < weightsByCategory.length; c++)
        weightsByCategory[c] = variant.weightsFor(catalog.categoryName(c));
      popular = new double[n];
      int pop = Feature.POPULARITY.ordinal(), trending = Feature.TRENDING.ordinal();
      for (int id = 0; id < n; id++) {
        if (catalog.byDenseId(id) == null) continue;
        double[] w = weightsByCategory[catalog.categoryOf(id)];
        double score = 0;
        if (w[pop] != 0) score += w[pop] * catalog.popularityScore(id);
        if (w[trending] != 0) score += w[trending] * board.score(id);
        popular[id] = score;
      }
    }

    /** The weights for an item of category index {@code category}. */
    double[] weights(int category) {
      return weightsByCategory[category];
    }

    /** The weighted popularity and trending of the item. */
    double popular(int denseId) {
      return popular[denseId];
    }

    /** Neutral orders by category ("" for the whole pool), computed on first use. */
    private final Map<String, NeutralOrder> neutral = new ConcurrentHashMap<>();

    /**
     * The pool of {@code category} in the order of a neutral user's score as of a freshness factor
     * close to {@code factor}: computed anew once the factor has drifted by more than {@link
     * NeutralOrder#MAX_DRIFT} of itself (about every 90 s at a week's half-life).
     */
    NeutralOrder neutralOrder(Optional<String> category, double factor) {
      int[] pool = catalog.activeInServingOrder(category);
      // only the catalog's own categories are kept: a request may name any string
      if (pool.length == 0) return new NeutralOrder(pool, factor);
      String key = category.orElse("");
      NeutralOrder order = neutral.get(key);
      if (order == null
          || Math.abs(factor - order.factor) > NeutralOrder.MAX_DRIFT * order.factor) {
        order = new NeutralOrder(pool, factor);
        neutral.put(key, order);
      }
      return order;
    }

    /**
     * A pool sorted by the score of a user with no signals of their own (no affinities, vector,
     * session or penalties), whose score is {@code popular(id) + w_freshness · freshness(id)}: such
     * a ranking walks this order and stops once no later item can reach its top list, instead of
     * scoring the whole pool. The order is as of one freshness factor {@code f0}; at another factor
     * {@code f} an item's score differs from the one it was sorted by by at most {@code
     * |w_freshness| · freshness_anchor(id) · |f − f0|} (clamping at 1 only brings values closer),
     * which {@link #slack} bounds for the whole pool.
     */
    final class NeutralOrder {
      static final double MAX_DRIFT = 1e-4;

      final double factor;

      /** Indexes into the pool, best neutral score first, equal scores in serving order. */
      final int[] indexes;

      /** The neutral score (as of {@link #factor}) of {@code indexes[r]}. */
      final double[] scores;

      /** max over the pool of {@code |w_freshness| · freshness_anchor(id)}. */
      private final double freshnessBound;

      private NeutralOrder(int[] pool, double factor) {
        this.factor = factor;
        int freshnessFeature = Feature.FRESHNESS.ordinal();
        double[] byIndex = new double[pool.length];
        double bound = 0;
        for (int i = 0; i < pool.length; i++) {
          int id = pool[i];
          double w = weights(catalog.categoryOf(id))[freshnessFeature];
          double score = popular(id);
          if (w != 0) score += w * freshness(id, factor);
          byIndex[i] = score;
          bound = Math.max(bound, Math.abs(w) * freshness[id]);
        }
        indexes = bestFirst(byIndex);
        scores = new double[pool.length];
        for (int r = 0; r < indexes.length; r++) scores[r] = byIndex[indexes[r]];
        freshnessBound = bound;
      }

      /**
       * How far above its sorted score an item may score at freshness factor {@code now}, with a
       * margin for rounding.
       */
      double slack(double now) {
        return freshnessBound * Math.abs(now - factor) + 1e-9;
      }
    }
  }
}
