package dev.freshet.actors.popularity;

import dev.freshet.actors.CborSerializable;
import java.util.Map;

/**
 * What one node saw in one window: interaction weight per item (dense id) and per category, at the
 * window's end, and how many interactions ({@code signals}) it sums. Published to every node, which
 * adds it to its {@link PopularityBoard}.
 */
public record PopularityDeltas(
    Map<Integer, Double> items, Map<String, Double> categories, long at, int signals)
    implements CborSerializable {

  public PopularityDeltas {
    items = Map.copyOf(items);
    categories = Map.copyOf(categories);
  }

  /** Deltas whose number of interactions is not known (counted as none). */
  public PopularityDeltas(Map<Integer, Double> items, Map<String, Double> categories, long at) {
    this(items, categories, at, 0);
  }

  public boolean isEmpty() {
    return items.isEmpty() && categories.isEmpty();
  }
}
