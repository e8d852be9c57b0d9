package dev.freshet.http.api;

import dev.freshet.actors.ranking.ItemLists;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /v1/items/popular} and {@code /latest}: non-personal lists in their order. */
public record ItemListAnswer(List<ItemListAnswer.Item> items) {

  public record Item(
      String id,
      String category,
      int position,
      String createdAt,
      double popularity,
      double trending) {}

  public static ItemListAnswer of(List<ItemLists.Listed> listed) {
    List<Item> items = new ArrayList<>(listed.size());
    for (ItemLists.Listed l : listed) {
      items.add(
          new Item(
              l.item().id(),
              l.item().category(),
              items.size() + 1,
              Instant.ofEpochMilli(l.item().createdAtMillis()).toString(),
              l.item().popularity(),
              l.trending()));
    }
    return new ItemListAnswer(items);
  }
}
