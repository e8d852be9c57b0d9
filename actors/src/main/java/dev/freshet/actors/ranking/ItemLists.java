package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.popularity.PopularityBoard;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.roaringbitmap.RoaringBitmap;

/**
 * Non-personal lists for anyone (anonymous visitors, users without consent): popular and latest.
 */
public final class ItemLists {

  /** One listed item with its live (decayed interaction) popularity. */
  public record Listed(Item item, double trending) {}

  private ItemLists() {}

  /**
   * The k active items with the most decayed interactions right now; items nobody has interacted
   * with lately follow in catalog popularity order, so the list is never empty while the pool is
   * not.
   */
  public static List<Listed> popular(
      CatalogSnapshot catalog, PopularityBoard board, Optional<String> category, int k) {
    int[] servingOrder = catalog.activeInServingOrder(category);
    List<Listed> trending = new ArrayList<>();
    for (int id : servingOrder) {
      double live = board.item(id);
      if (live > 0) trending.add(new Listed(catalog.byDenseId(id), live));
    }
    // stable sort: equal live counts keep catalog serving order
    trending.sort(Comparator.comparingDouble(Listed::trending).reversed());
    List<Listed> out = new ArrayList<>(trending.subList(0, Math.min(k, trending.size())));
    RoaringBitmap listed = new RoaringBitmap();
    out.forEach(l -> listed.add(l.item().denseId()));
    for (int i = 0; i < servingOrder.length && out.size() < k; i++) {
      if (!listed.contains(servingOrder[i]))
        out.add(new Listed(catalog.byDenseId(servingOrder[i]), 0.0));
    }
    return out;
  }

  /** The k newest active items. */
  public static List<Listed> latest(
      CatalogSnapshot catalog, PopularityBoard board, Optional<String> category, int k) {
    int[] newest = catalog.activeNewestFirst(category);
    List<Listed> out = new ArrayList<>(Math.min(k, newest.length));
    for (int i = 0; i < newest.length && i < k; i++) {
      out.add(new Listed(catalog.byDenseId(newest[i]), board.item(newest[i])));
    }
    return out;
  }
}
