package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.Neighbours;
import dev.freshet.actors.retrieval.VectorLookup;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.roaringbitmap.RoaringBitmap;

/**
 * The first half of a ranking over a large pool: decides whether the ranking retrieves candidates,
 * and starts the vector lookups it needs (the user vector's and the session's neighbours). The
 * second half is {@link Ranker#rank(RankingContext, RankingRequest, String, Variant, Retrieved)}.
 * Split so that a user entity can wait for a remote index without blocking: an embedded index
 * answers at once, and the entity ranks in the same message.
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
    Ranker.UserSignals user = Ranker.UserSignals.of(ctx, settings);
    RetrievalSettings r = settings.retrieval();
    if ((user.userVector() == null || r.vector() == 0)
        && (user.sessionCentroid() == null || r.session() == 0))
      return CompletableFuture.completedFuture(Retrieved.NO_VECTORS);
    RoaringBitmap excluded = ctx.seen().union(Ranker.excluded(ctx.catalog(), request));
    CompletionStage<VectorLookup.Result> ofUser =
        nearest(user.userVector(), r.vector(), request, excluded, ctx.catalog());
    CompletionStage<VectorLookup.Result> ofSession =
        nearest(user.sessionCentroid(), r.session(), request, excluded, ctx.catalog());
    return ofUser.thenCombine(
        ofSession,
        (u, s) ->
            new Retrieved(false, u.neighbours(), s.neighbours(), u.degraded().or(s::degraded)));
  }

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
