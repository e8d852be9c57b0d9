package dev.freshet.actors.popularity;

import dev.freshet.actors.features.Decay;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Decayed interaction counts per item (indexed by dense id) and per category, all expressed as of
 * one time {@code asOf}: an interaction counts its weight at first and half of it one half-life
 * later. Immutable; {@link #merge} builds the next board, so readers never see a half-applied
 * window.
 */
public final class PopularityBoard {

  private static final PopularityBoard EMPTY = new PopularityBoard(new double[0], Map.of(), 0L);

  private final double[] items;
  private final Map<String, Double> categories;
  private final long asOf;
  private final double maxItem;
  private final double[] scores;

  private PopularityBoard(double[] items, Map<String, Double> categories, long asOf) {
    this.items = items;
    this.categories = categories;
    this.asOf = asOf;
    double max = 0;
    for (double v : items) max = Math.max(max, v);
    this.maxItem = max;
    // log-scaled once per window, not per candidate of every ranking
    this.scores = new double[items.length];
    double logMax = Math.log1p(max);
    for (int i = 0; i < items.length; i++)
      scores[i] = logMax == 0 ? 0 : Math.log1p(items[i]) / logMax;
  }

  /** The item's count log-scaled to [0, 1] against the highest count. */
  public double score(int denseId) {
    return denseId >= 0 && denseId < scores.length ? scores[denseId] : 0.0;
  }

  public static PopularityBoard empty() {
    return EMPTY;
  }

  /**
   * The board as of the later of its time and {@code deltas.at()}, with the deltas added: the board
   * decayed to the deltas' time when they are newer, the deltas decayed to the board's time when
   * they are older (a late window, or history imported after live traffic), so that every
   * interaction counts as of its event time.
   */
  public PopularityBoard merge(PopularityDeltas deltas, long halfLifeMillis) {
    long at = Math.max(asOf, deltas.at());
    double decay = Decay.factor(asOf, at, halfLifeMillis);
    double late = Decay.factor(deltas.at(), at, halfLifeMillis);
    int size = items.length;
    for (int id : deltas.items().keySet()) size = Math.max(size, id + 1);
    double[] next = Arrays.copyOf(items, size);
    if (decay != 1.0) for (int i = 0; i < next.length; i++) next[i] *= decay;
    deltas.items().forEach((id, w) -> next[id] += w * late);
    Map<String, Double> nextCategories = new HashMap<>();
    categories.forEach((c, v) -> nextCategories.put(c, v * decay));
    deltas.categories().forEach((c, w) -> nextCategories.merge(c, w * late, Double::sum));
    return new PopularityBoard(next, Map.copyOf(nextCategories), at);
  }

  /** The item's decayed count as of {@link #asOf()}; 0 if it has none. */
  public double item(int denseId) {
    return denseId >= 0 && denseId < items.length ? items[denseId] : 0.0;
  }

  public double category(String category) {
    return categories.getOrDefault(category, 0.0);
  }

  /** The highest item count, for normalising. */
  public double maxItem() {
    return maxItem;
  }

  public long asOf() {
    return asOf;
  }
}
