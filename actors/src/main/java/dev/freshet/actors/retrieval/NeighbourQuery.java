package dev.freshet.actors.retrieval;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import java.util.Optional;
import org.roaringbitmap.RoaringBitmap;

/**
 * The {@code k} items most similar to {@code vector} that are active in {@code catalog} (the
 * snapshot the caller ranks with), of {@code category} when given, and not in {@code excluded}
 * (dense ids: what the user has seen, what the request excludes, the item asked about). {@code
 * excluded} is shared, never to be mutated.
 */
public record NeighbourQuery(
    float[] vector,
    int k,
    Optional<String> category,
    RoaringBitmap excluded,
    CatalogSnapshot catalog) {

  public NeighbourQuery {
    if (vector == null || vector.length == 0)
      throw new IllegalArgumentException("a query needs a vector");
    if (k < 1) throw new IllegalArgumentException("k must be at least 1");
  }

  /** Whether an item with this dense id may be answered. */
  public boolean accepts(int denseId) {
    if (excluded.contains(denseId)) return false;
    Item item = catalog.byDenseId(denseId);
    return item != null
        && item.isActive()
        && category.map(c -> c.equals(item.category())).orElse(true);
  }
}
