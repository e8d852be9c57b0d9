package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.user.SeenSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first ranking: the k most popular active items the user has not seen, newer first among equally
 * popular ones. The score is popularity normalised to [0, 1] against the most popular active item
 * (log-scaled, so that a few blockbusters do not flatten everyone else to zero).
 *
 * <p>Pure: the catalog's serving order is computed once per catalog change, so a ranking is a scan
 * that stops after k hits.
 */
public final class Ranker {

  public static final String VARIANT = "default";
  public static final String REASON_POPULAR = "popular";
  public static final String FEATURE_POPULARITY = "popularity";

  private Ranker() {}

  public static Ranking rank(
      CatalogSnapshot catalog, SeenSet seen, RankingRequest request, String rankingId) {
    int[] order = catalog.activeInServingOrder(request.category());
    double scale = Math.log1p(catalog.maxPopularity());
    List<RankedItem> items = new ArrayList<>(Math.min(request.k(), order.length));
    for (int i = 0; i < order.length && items.size() < request.k(); i++) {
      int denseId = order[i];
      if (seen.contains(denseId)) continue;
      Item item = catalog.byDenseId(denseId);
      if (request.exclude().contains(item.id())) continue;
      double score = scale == 0 ? 0 : Math.log1p(item.popularity()) / scale;
      Map<String, Double> explain =
          request.explain() ? Map.of(FEATURE_POPULARITY, score) : Map.of();
      items.add(new RankedItem(item.id(), score, items.size() + 1, REASON_POPULAR, explain));
    }
    return new Ranking(rankingId, VARIANT, List.copyOf(items));
  }
}
