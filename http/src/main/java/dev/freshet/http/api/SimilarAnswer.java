package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.retrieval.Neighbours;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/items/{id}/similar}: the item's nearest active neighbours by embedding, most
 * similar first, with their cosine similarity; {@code degraded} says why the first-choice index did
 * not answer, when it did not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SimilarAnswer(String itemId, List<SimilarAnswer.Item> items, String degraded) {

  public record Item(String id, String category, int position, double similarity) {}

  public static SimilarAnswer of(
      String itemId, Neighbours neighbours, CatalogSnapshot catalog, String degraded) {
    List<Item> items = new ArrayList<>(neighbours.size());
    for (int i = 0; i < neighbours.size(); i++) {
      dev.freshet.actors.catalog.Item item = catalog.byDenseId(neighbours.denseIds()[i]);
      if (item == null) continue;
      items.add(new Item(item.id(), item.category(), items.size() + 1, neighbours.scores()[i]));
    }
    return new SimilarAnswer(itemId, List.copyOf(items), degraded);
  }
}
