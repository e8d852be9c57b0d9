package dev.freshet.actors.catalog;

import java.util.ArrayList;
import java.util.List;

/** Small catalogs for tests: item {@code i} has dense id {@code i} and popularity {@code n - i}. */
public final class TestCatalogs {
  private TestCatalogs() {}

  public static Item item(int denseId, String category, double popularity, ItemStatus status) {
    return new Item(
        "item-" + denseId,
        denseId,
        category,
        List.of(),
        1_000L * denseId,
        status,
        popularity,
        null,
        "{}");
  }

  public static CatalogSnapshot ofSize(int n, int categories) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(item(i, "cat-" + (i % categories), n - i, ItemStatus.ACTIVE));
    }
    return CatalogSnapshot.empty().withChanges(items, 1);
  }
}
