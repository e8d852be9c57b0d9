package dev.freshet.actors.ranking;

import com.carrotsearch.hppc.IntArrayList;
import com.carrotsearch.hppc.IntIntHashMap;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.retrieval.Neighbours;
import java.util.BitSet;
import java.util.Optional;
import java.util.Random;

/**
 * The candidates of a ranking over a large pool: the union of bounded sources ({@link
 * CandidateSource}), each item with the sources that proposed it. Only eligible items are taken
 * (active in the ranking's catalog, of the request's category, neither seen nor excluded), whatever
 * a source proposes: a remote index may lag the catalog, so the never-seen and active-only rules
 * are applied here again, exactly as the full scan applies them.
 */
final class Candidates {

  private final CatalogSnapshot catalog;
  private final Optional<String> category;

  /**
   * The request's category as the catalog's index ({@link #ANY_CATEGORY} without one, -1 for a name
   * no item has, which matches none): compared per item, where matching the name allocated on every
   * item a collaborative source walks.
   */
  private final int categoryIndex;

  private static final int ANY_CATEGORY = -2;

  private final BitSet seen;
  private final BitSet skip;

  /**
   * Dense id → mask of {@link CandidateSource#bit}s (primitive: a ranking proposes up to a thousand
   * candidates, and boxing them was a tenth of a ranking's time), and the ids in the order first
   * proposed.
   */
  private final IntIntHashMap sources = new IntIntHashMap(1024);

  private final IntArrayList order = new IntArrayList(1024);

  private Candidates(CatalogSnapshot catalog, Optional<String> category, BitSet seen, BitSet skip) {
    this.catalog = catalog;
    this.category = category;
    this.categoryIndex = category.map(catalog::categoryIndex).orElse(ANY_CATEGORY);
    this.seen = seen;
    this.skip = skip;
  }

  /** Every source's candidates for the ranking. */
  static Candidates collect(
      RankingContext ctx,
      RankingRequest request,
      RetrievalSettings r,
      SharedTerms.ForVariant terms,
      double freshnessFactor,
      Ranker.UserSignals user,
      BitSet seen,
      BitSet skip,
      Retrieval.Retrieved retrieved,
      long seed) {
    Candidates c = new Candidates(ctx.catalog(), request.category(), seen, skip);
    c.neighbours(retrieved.user(), CandidateSource.VECTOR);
    c.neighbours(retrieved.session(), CandidateSource.SESSION);
    c.collaborative(user.cf(), r.cf());
    c.strongestCategories(user.categoryAffinity(), r, terms, freshnessFactor);
    c.ordered(
        terms.neutralOrder(request.category(), freshnessFactor),
        ctx.catalog().activeInServingOrder(request.category()),
        r.popular(),
        CandidateSource.POPULAR);
    c.firstOf(
        ctx.catalog().activeNewestFirst(request.category()), r.fresh(), CandidateSource.FRESH);
    c.underExposed(ctx, request, r.exploration(), seed);
    return c;
  }

  /** The candidates' dense ids, in the order first proposed. */
  int[] ids() {
    return order.toArray();
  }

  int sourcesOf(int denseId) {
    return sources.getOrDefault(denseId, 0);
  }

  private boolean eligible(int denseId) {
    if (denseId < 0 || seen.get(denseId) || skip.get(denseId)) return false;
    Item item = catalog.byDenseId(denseId);
    return item != null
        && item.isActive()
        && (categoryIndex == ANY_CATEGORY || catalog.categoryOf(denseId) == categoryIndex);
  }

  private boolean take(int denseId, CandidateSource source) {
    if (!eligible(denseId)) return false;
    int before = sources.getOrDefault(denseId, 0);
    if (before == 0) order.add(denseId);
    sources.put(denseId, before | source.bit());
    return true;
  }

  private void neighbours(Neighbours neighbours, CandidateSource source) {
    for (int id : neighbours.denseIds()) take(id, source);
  }

  /** The {@code limit} eligible items the user's CF vector scores highest. */
  private void collaborative(CfScores cf, int limit) {
    if (!cf.present() || limit == 0) return;
    for (int id : cf.model().top(cf.user(), limit, this::eligible)) take(id, CandidateSource.CF);
  }

  /** The first {@code limit} eligible of {@code ids}, in their order. */
  private void firstOf(int[] ids, int limit, CandidateSource source) {
    int taken = 0;
    for (int i = 0; i < ids.length && taken < limit; i++) if (take(ids[i], source)) taken++;
  }

  /** The first {@code limit} eligible of a pool walked in a neutral order. */
  private void ordered(
      SharedTerms.ForVariant.NeutralOrder order, int[] pool, int limit, CandidateSource source) {
    int taken = 0;
    for (int r = 0; r < order.indexes.length && taken < limit; r++)
      if (take(pool[order.indexes[r]], source)) taken++;
  }

  /**
   * The best of each of the user's strongest categories (positive affinity only), when the request
   * is not for one category already.
   */
  private void strongestCategories(
      double[] affinity, RetrievalSettings r, SharedTerms.ForVariant terms, double factor) {
    if (category.isPresent() || r.categories() == 0 || r.perCategory() == 0) return;
    boolean[] used = new boolean[affinity.length];
    for (int n = 0; n < r.categories(); n++) {
      int best = -1;
      for (int c = 0; c < affinity.length; c++)
        if (!used[c] && affinity[c] > 0 && (best < 0 || affinity[c] > affinity[best])) best = c;
      if (best < 0) return;
      used[best] = true;
      Optional<String> name = Optional.of(catalog.categoryName(best));
      ordered(
          terms.neutralOrder(name, factor),
          catalog.activeInServingOrder(name),
          r.perCategory(),
          CandidateSource.CATEGORY);
    }
  }

  /**
   * Items nobody interacted with lately, from random places in the pool (drawn from the ranking's
   * exploration seed), so that exploration has under-exposed items to choose from; a bounded number
   * of draws, so that a pool where everything is popular costs no more.
   */
  private void underExposed(RankingContext ctx, RankingRequest request, int limit, long seed) {
    if (limit == 0) return;
    int[] pool = catalog.activeInServingOrder(request.category());
    if (pool.length == 0) return;
    Random random = new Random(seed);
    int taken = 0;
    for (int draw = 0; draw < 20 * limit && taken < limit; draw++) {
      int id = pool[random.nextInt(pool.length)];
      if (ctx.popularity().item(id) == 0.0 && take(id, CandidateSource.EXPLORATION)) taken++;
    }
  }
}
