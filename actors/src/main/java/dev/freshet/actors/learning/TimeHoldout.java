package dev.freshet.actors.learning;

import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.SignalWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Training data from what users did, with the latest of it held out by event time: what a model
 * trained on the past must predict is what each user did last, as a model serving now will be asked
 * to. Each interaction weighs what it moves the user's affinity by ({@link SignalWeights}: a {@code
 * not_interested} skip is negative, a {@code bad_timing} skip nothing); a pair's weight is the sum
 * of its interactions'. For every user with at least {@code minPositives} items of positive weight,
 * the item of their latest positive interaction is held out with all its interactions, and the
 * model trains on the rest.
 */
public final class TimeHoldout {

  /** One interaction as the read model holds it: the item by dense id, the time in epoch ms. */
  public record Row(
      String userId, int item, InteractionType type, String intent, Long value, long at) {}

  /** The split, and the user ids by index. */
  public record Built(StaticSplit.Split split, List<String> users, int heldOutUsers) {}

  /** Later event time last; on equal times, the higher dense id (an arbitrary but fixed choice). */
  private static final Comparator<Row> LATEST =
      Comparator.comparingLong(Row::at).thenComparingInt(Row::item);

  private TimeHoldout() {}

  /** {@code items} bounds the dense ids (exclusive). */
  public static Built build(List<Row> rows, SignalWeights weights, int items, int minPositives) {
    Map<String, Integer> index = new HashMap<>();
    List<String> users = new ArrayList<>();
    Map<Integer, List<Row>> byUser = new HashMap<>();
    for (Row row : rows) {
      if (row.item() < 0 || row.item() >= items)
        throw new IllegalArgumentException("item out of range: " + row.item());
      int u =
          index.computeIfAbsent(
              row.userId(),
              id -> {
                users.add(id);
                return users.size() - 1;
              });
      byUser.computeIfAbsent(u, k -> new ArrayList<>()).add(row);
    }
    Interactions.Builder train = Interactions.builder(users.size(), items);
    int[][] heldOut = new int[users.size()][];
    int heldOutUsers = 0;
    for (int u = 0; u < users.size(); u++) {
      List<Row> mine = byUser.get(u);
      Map<Integer, Double> pair = new HashMap<>();
      Row latest = null;
      for (Row r : mine) {
        double w = weights.affinityDelta(r.type(), r.intent(), r.value());
        if (w == 0) continue;
        pair.merge(r.item(), w, Double::sum);
        if (w > 0 && (latest == null || LATEST.compare(r, latest) > 0)) latest = r;
      }
      long positives = pair.values().stream().filter(w -> w > 0).count();
      int hold = latest != null && positives >= minPositives ? latest.item() : -1;
      heldOut[u] = hold < 0 ? new int[0] : new int[] {hold};
      if (hold >= 0) heldOutUsers++;
      for (Map.Entry<Integer, Double> e : pair.entrySet())
        if (e.getKey() != hold) train.add(u, e.getKey(), e.getValue());
    }
    return new Built(
        new StaticSplit.Split(train.build(), heldOut), List.copyOf(users), heldOutUsers);
  }
}
