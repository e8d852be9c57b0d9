package dev.freshet.actors.popularity;

import dev.freshet.actors.CborSerializable;
import java.util.Map;

/**
 * What one node saw in one window: interaction weight per item (dense id) and per category, at the
 * window's end. Published to every node, which adds it to its {@link PopularityBoard}.
 */
public record PopularityDeltas(Map<Integer, Double> items, Map<String, Double> categories, long at)
    implements CborSerializable {

  public PopularityDeltas {
    items = Map.copyOf(items);
    categories = Map.copyOf(categories);
  }

  public boolean isEmpty() {
    return items.isEmpty() && categories.isEmpty();
  }
}
