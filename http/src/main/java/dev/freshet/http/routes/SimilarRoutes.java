package dev.freshet.http.routes;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.RecommendationQuery;
import dev.freshet.http.api.SimilarAnswer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.Route;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code GET /v1/items/{id}/similar?k=&excludeSeenBy=}: vector neighbours of an item, active only,
 * never the item itself, and with {@code excludeSeenBy} never what that user has seen. Served
 * through the same cascade as retrieval (remote index, embedded index); when no index can answer,
 * the answer is empty and says why.
 */
public final class SimilarRoutes extends ApiRoutes {

  private static final Set<String> PARAMETERS = Set.of("k", "excludeSeenBy");

  private final Catalog catalog;
  private final VectorLookup vectors;
  private final Users users;

  public SimilarRoutes(Catalog catalog, VectorLookup vectors, Users users, ObjectMapper mapper) {
    super(mapper);
    this.catalog = catalog;
    this.vectors = vectors;
    this.users = users;
  }

  /** The routes below {@code /v1}. */
  public Route routes() {
    return path(
        segment("items").slash(segment()).slash("similar"),
        id -> get(() -> parameterMap(query -> similar(id, query))));
  }

  private Route similar(String id, Map<String, String> query) {
    Fields.id("id", id);
    for (String name : query.keySet())
      if (!PARAMETERS.contains(name))
        // a parameter without a name ("?=1") is named by the query it spoils
        throw ApiException.invalid(
            name.isBlank() ? "query" : name,
            "unknown parameter \"" + name + "\" (k, excludeSeenBy)");
    int k = RecommendationQuery.k(query.get("k"));
    Optional<String> user =
        Optional.ofNullable(query.get("excludeSeenBy")).map(u -> Fields.id("excludeSeenBy", u));
    CompletionStage<SimilarAnswer> answer =
        catalog
            .find(id)
            .thenCompose(
                found -> {
                  Item item =
                      found.orElseThrow(
                          () -> new ApiException(404, "not_found", "No item with id " + id, "id"));
                  return seenBy(user).thenCompose(seen -> neighbours(item, k, seen));
                });
    return onSuccess(answer, a -> json(200, a));
  }

  private CompletionStage<RoaringBitmap> seenBy(Optional<String> user) {
    if (user.isEmpty()) return CompletableFuture.completedFuture(new RoaringBitmap());
    return users
        .<UserEntity.SeenItems>ask(user.get(), UserEntity.GetSeen::new)
        .thenApply(reply -> reply.seen().union(new RoaringBitmap()));
  }

  private CompletionStage<SimilarAnswer> neighbours(Item item, int k, RoaringBitmap excluded) {
    CatalogSnapshot snapshot = catalog.snapshot();
    if (item.embedding() == null)
      return CompletableFuture.completedFuture(
          new SimilarAnswer(item.id(), java.util.List.of(), null));
    excluded.add(item.denseId());
    return vectors
        .nearest(new NeighbourQuery(item.embedding(), k, Optional.empty(), excluded, snapshot))
        .thenApply(
            r -> SimilarAnswer.of(item.id(), r.neighbours(), snapshot, r.degraded().orElse(null)));
  }
}
