package dev.freshet.actors.retrieval;

import dev.freshet.actors.catalog.CatalogSnapshot;
import java.util.Optional;
import org.roaringbitmap.RoaringBitmap;

/**
 * The {@code k} items most similar to {@code vector} that are active in {@code catalog} (the
 * snapshot the caller ranks with), of {@code category} when given, and not in {@code excluded}
 * (dense ids: what the user has seen, what the request excludes, the item asked about). {@code
 * excluded} is shared, never to be mutated.
 */
public final class NeighbourQuery {

  private final float[] vector;
  private final int k;
  private final Optional<String> category;
  private final RoaringBitmap excluded;
  private final CatalogSnapshot catalog;

  /** The category's index in the catalog, -1 for none, -2 for a category no item has. */
  private final int categoryIndex;

  private final RoaringBitmap active;

  public NeighbourQuery(
      float[] vector,
      int k,
      Optional<String> category,
      RoaringBitmap excluded,
      CatalogSnapshot catalog) {
    if (vector == null || vector.length == 0)
      throw new IllegalArgumentException("a query needs a vector");
    if (k < 1) throw new IllegalArgumentException("k must be at least 1");
    this.vector = vector;
    this.k = k;
    this.category = category;
    this.excluded = excluded;
    this.catalog = catalog;
    int index = category.map(catalog::categoryIndex).orElse(-1);
    this.categoryIndex = category.isPresent() && index < 0 ? -2 : index;
    this.active = catalog.activeBitmap();
  }

  public float[] vector() {
    return vector;
  }

  public int k() {
    return k;
  }

  public Optional<String> category() {
    return category;
  }

  public RoaringBitmap excluded() {
    return excluded;
  }

  public CatalogSnapshot catalog() {
    return catalog;
  }

  /**
   * Whether an item with this dense id may be answered: two bitmap look-ups and an int compare, as
   * a graph search asks it for every node it visits.
   */
  public boolean accepts(int denseId) {
    if (categoryIndex == -2 || denseId < 0 || denseId >= catalog.denseIdBound()) return false;
    if (!active.contains(denseId) || excluded.contains(denseId)) return false;
    return categoryIndex < 0 || catalog.categoryOf(denseId) == categoryIndex;
  }
}
