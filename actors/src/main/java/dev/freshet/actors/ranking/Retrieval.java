package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.Neighbours;
import dev.freshet.actors.retrieval.VectorLookup;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.roaringbitmap.RoaringBitmap;

/**
 * The first half of a ranking over a large pool: decides whether the ranking retrieves candidates,
 * and starts the vector lookups it needs (the user vector's and the session's neighbours). The
 * second half is {@link Ranker#rank(RankingContext, RankingRequest, String, Variant, Retrieved)}.
 * Split so that a user entity can wait for a remote index without blocking: an embedded index
 * answers at once, and the entity ranks in the same message. One instance serves one user: it
 * remembers the user's last lookups (see {@code reuse-neighbours}).
 */
public final class Retrieval {

  /** What the lookups found for one ranking, and whether it retrieves at all. */
  public record Retrieved(
      boolean fullScan, Neighbours user, Neighbours session, Optional<String> degraded) {

    /** Score every unseen item of the pool. */
    public static final Retrieved FULL_SCAN =
        new Retrieved(true, Neighbours.none(), Neighbours.none(), Optional.empty());

    /** Retrieve without vector neighbours, because the lookup itself failed. */
    public static Retrieved failed(Throwable failure) {
      return new Retrieved(
          false,
          Neighbours.none(),
          Neighbours.none(),
          Optional.of("vector-lookup-failed: ranked from popularity and the user's state"));
    }

    /** Retrieve, with no vector neighbours (the user has no vector and no session). */
    static final Retrieved NO_VECTORS =
        new Retrieved(false, Neighbours.none(), Neighbours.none(), Optional.empty());
  }

  private final RankingSettings settings;
  private final VectorLookup lookup;

  public Retrieval(RankingSettings settings, VectorLookup lookup) {
    this.settings = settings;
    this.lookup = lookup;
  }

  public VectorLookup lookup() {
    return lookup;
  }

  /**
   * Whether a ranking of this request with this variant scores retrieved candidates rather than the
   * whole pool.
   */
  boolean retrieves(RankingContext ctx, RankingRequest request, Variant variant) {
    RetrievalSettings r = settings.retrieval();
    return r.enabled()
        && variant.retrieval()
        && !request.replay()
        && ctx.catalog().activeInServingOrder(request.category()).length >= r.minPool();
  }

  public CompletionStage<Retrieved> start(
      RankingContext ctx, RankingRequest request, Variant variant) {
    if (!retrieves(ctx, request, variant))
      return CompletableFuture.completedFuture(Retrieved.FULL_SCAN);
    RetrievalSettings r = settings.retrieval();
    float[] userVector = r.vector() == 0 ? null : Ranker.UserSignals.userVector(ctx);
    float[] sessionVector = r.session() == 0 ? null : Ranker.UserSignals.sessionVector(ctx);
    if (userVector == null && sessionVector == null)
      return CompletableFuture.completedFuture(Retrieved.NO_VECTORS);
    Query query = new Query(userVector, sessionVector, request.category(), request.exclude());
    Looked up = last;
    if (up != null && up.serves(query, ctx, r.reuseNeighboursMillis()))
      return CompletableFuture.completedFuture(up.retrieved);
    RoaringBitmap excluded = ctx.seen().union(Ranker.excluded(ctx.catalog(), request));
    CompletionStage<VectorLookup.Result> ofUser =
        nearest(userVector, r.vector(), request, excluded, ctx.catalog());
    CompletionStage<VectorLookup.Result> ofSession =
        nearest(sessionVector, r.session(), request, excluded, ctx.catalog());
    long now = ctx.now();
    return ofUser.thenCombine(
        ofSession,
        (u, s) -> {
          Retrieved retrieved =
              new Retrieved(false, u.neighbours(), s.neighbours(), u.degraded().or(s::degraded));
          // a degraded answer is not kept: the next ranking asks the index again
          last = retrieved.degraded().isEmpty() ? new Looked(query, now, retrieved) : null;
          return retrieved;
        });
  }

  /** What the vector lookups depend on besides the catalog and the user's seen items. */
  private record Query(
      float[] user, float[] session, Optional<String> category, Set<String> exclude) {
    boolean sameAs(Query other) {
      return Arrays.equals(user, other.user)
          && Arrays.equals(session, other.session)
          && category.equals(other.category)
          && exclude.equals(other.exclude);
    }
  }

  /**
   * The last lookups' answer. A user who ranks again without having interacted (the next page of a
   * feed) gets the same neighbours, minus what they saw since: those are reused for {@code
   * reuse-neighbours}, as long as at least three quarters are still unseen. Candidates are checked
   * for eligibility again anyway (seen, excluded, active), and items created meanwhile arrive
   * through the "fresh" source.
   */
  private record Looked(Query query, long at, Retrieved retrieved) {
    boolean serves(Query now, RankingContext ctx, long ttlMillis) {
      if (ttlMillis <= 0 || ctx.now() < at || ctx.now() - at > ttlMillis) return false;
      if (!query.sameAs(now)) return false;
      int total = 0, unseen = 0;
      for (Neighbours n : new Neighbours[] {retrieved.user(), retrieved.session()}) {
        for (int id : n.denseIds()) {
          total++;
          if (!ctx.seen().contains(id)) unseen++;
        }
      }
      return 4 * unseen >= 3 * total;
    }
  }

  /**
   * Written by the thread that completes the lookups (the entity's own for the embedded index, the
   * remote client's otherwise) and read by the entity: an immutable value, so the last write wins.
   */
  private volatile Looked last;

  /** The {@code k} neighbours of {@code vector}; none without a vector or with {@code k} 0. */
  private CompletionStage<VectorLookup.Result> nearest(
      float[] vector,
      int k,
      RankingRequest request,
      RoaringBitmap excluded,
      CatalogSnapshot catalog) {
    if (vector == null || k == 0)
      return CompletableFuture.completedFuture(
          new VectorLookup.Result(Neighbours.none(), Optional.empty()));
    return lookup.nearest(new NeighbourQuery(vector, k, request.category(), excluded, catalog));
  }
}
