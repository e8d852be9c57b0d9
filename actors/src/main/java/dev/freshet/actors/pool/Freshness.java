package dev.freshet.actors.pool;

import dev.freshet.actors.CborSerializable;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.user.SeenSet;
import java.util.Map;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * How fresh a user's pool is: active items, how many of them the user has not seen, and coverage
 * (the seen share of the active pool). Computed from the seen set and the current catalog, never
 * stored, so archiving or adding items changes every user's figures without touching their history.
 */
public record Freshness(int poolSize, int unseen, double coverage) implements CborSerializable {

  public static Freshness of(int poolSize, int seenActive) {
    return new Freshness(
        poolSize, poolSize - seenActive, poolSize == 0 ? 0.0 : (double) seenActive / poolSize);
  }

  /** The user's freshness against the whole active pool. */
  public static Freshness of(SeenSet seen, CatalogSnapshot catalog) {
    return of(catalog.activeCount(), seen.countIn(catalog.activeBitmap()));
  }

  /**
   * This freshness once {@code fresh} (ids not seen before) are seen too; {@code active}: the
   * pool's ids.
   */
  public Freshness plusSeen(int[] fresh, RoaringBitmap active) {
    int seenActive = poolSize - unseen;
    for (int id : fresh) if (active.contains(id)) seenActive++;
    return of(poolSize, seenActive);
  }

  /** The user's freshness in one category's active pool once {@code fresh} are seen too. */
  public static Freshness inCategory(
      SeenSet seen, CatalogSnapshot catalog, String category, int[] fresh) {
    RoaringBitmap pool = catalog.activeBitmapsByCategory().get(category);
    return pool == null ? of(0, 0) : in(pool, seen, fresh);
  }

  private static Freshness in(RoaringBitmap pool, SeenSet seen, int[] fresh) {
    return of(pool.getCardinality(), seen.countIn(pool)).plusSeen(fresh, pool);
  }

  /** Per category, in name order. */
  public static Map<String, Freshness> byCategory(SeenSet seen, CatalogSnapshot catalog) {
    Map<String, Freshness> out = new TreeMap<>();
    catalog
        .activeBitmapsByCategory()
        .forEach((category, pool) -> out.put(category, in(pool, seen, new int[0])));
    return out;
  }
}
