package dev.freshet.http.routes;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.ranking.ItemLists;
import dev.freshet.http.api.Acknowledgement;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.ItemAnswer;
import dev.freshet.http.api.ItemListAnswer;
import dev.freshet.http.api.ItemsRequest;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.api.RecommendationQuery;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.http.edge.Idempotency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/items}: upserts (answered once the catalog's transaction committed, under an optional
 * Idempotency-Key), one item, and the non-personal popular and latest lists.
 */
public final class CatalogRoutes extends ApiRoutes {

  private final Catalog catalog;
  private final Popularity popularity;
  private final HttpSettings settings;
  private final JsonBodies bodies;
  private final IdempotentRequests idempotent;

  public CatalogRoutes(
      Catalog catalog,
      Popularity popularity,
      HttpSettings settings,
      JsonBodies bodies,
      IdempotentRequests idempotent,
      ObjectMapper mapper) {
    super(mapper);
    this.catalog = catalog;
    this.popularity = popularity;
    this.settings = settings;
    this.bodies = bodies;
    this.idempotent = idempotent;
  }

  /** The routes below {@code /v1}. */
  public Route routes() {
    return concat(
        path("items", () -> post(() -> bodies.catalog(this::upsert))),
        path(
            segment("items").slash("popular"),
            () -> get(() -> parameterMap(q -> list(q, ItemLists::popular)))),
        path(
            segment("items").slash("latest"),
            () -> get(() -> parameterMap(q -> list(q, ItemLists::latest)))),
        path(segment("items").slash(segment()), id -> get(() -> item(id))));
  }

  private Route upsert(JsonNode body) {
    var upserts =
        ItemsRequest.parse(
            body, settings.embeddingDimension(), settings.timeWindow(), System.currentTimeMillis());
    return idempotent.once(
        "/v1/items",
        body,
        // an upsert written twice is the same catalog: it needs no batch id
        batchId ->
            catalog
                .upsert(upserts)
                .thenApply(
                    stored ->
                        new Idempotency.Answer(200, new Acknowledgement.Upserted(stored.size()))));
  }

  private Route item(String id) {
    Fields.id("id", id);
    return onSuccess(
        catalog.find(id),
        item ->
            item.map(i -> json(200, ItemAnswer.of(i)))
                .orElseThrow(
                    () -> new ApiException(404, "not_found", "No item with id " + id, "id")));
  }

  @FunctionalInterface
  private interface ItemList {
    List<ItemLists.Listed> list(
        CatalogSnapshot catalog, PopularityBoard board, Optional<String> category, int k);
  }

  /** {@code GET /v1/items/popular} and {@code /latest}: non-personal, for anyone. */
  private Route list(Map<String, String> query, ItemList list) {
    int k = RecommendationQuery.k(query.get("k"));
    Optional<String> category = RecommendationQuery.category(query.get("category"));
    return json(
        200, ItemListAnswer.of(list.list(catalog.snapshot(), popularity.board(), category, k)));
  }
}
