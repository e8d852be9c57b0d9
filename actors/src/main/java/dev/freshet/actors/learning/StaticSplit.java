package dev.freshet.actors.learning;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

/**
 * The classic offline evaluation: each user's pairs split at random, {@code trainShare} to train on
 * and the rest held out; a scorer trained on the first part ranks, for every user with held-out
 * items, all items the user has not trained on, and NDCG@k and Recall@k are averaged over those
 * users. Deterministic for a seed.
 */
public final class StaticSplit {

  /** Training data and each user's held-out items (ascending; empty for none). */
  public record Split(Interactions train, int[][] heldOut) {}

  /** Scores every item for a user: {@code out[item]}. */
  @FunctionalInterface
  public interface Scorer {
    void scores(int user, double[] out);
  }

  /**
   * Mean NDCG@k and Recall@k over {@code users} users with held-out items, and each user's values
   * (for intervals).
   */
  public record Result(
      double ndcg, double recall, int users, int k, double[] ndcgs, double[] recalls) {}

  private StaticSplit() {}

  /**
   * Splits every user's pairs: of a user's {@code n} pairs, {@code round(n·(1 − trainShare))} are
   * held out (none for a user with a single pair), chosen at random.
   */
  public static Split split(Interactions all, double trainShare, long seed) {
    if (!(trainShare > 0 && trainShare < 1))
      throw new IllegalArgumentException("trainShare must be in (0, 1)");
    Random random = new Random(seed);
    Interactions.Builder train = Interactions.builder(all.users(), all.items());
    int[][] heldOut = new int[all.users()][];
    for (int u = 0; u < all.users(); u++) {
      int[] items = all.itemsOf(u);
      float[] weights = all.weightsOf(u);
      int[] order = new int[items.length];
      for (int i = 0; i < order.length; i++) order[i] = i;
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      int hold = items.length < 2 ? 0 : (int) Math.round(items.length * (1 - trainShare));
      int[] held = new int[hold];
      for (int i = 0; i < order.length; i++) {
        if (i < hold) held[i] = items[order[i]];
        else train.add(u, items[order[i]], weights[order[i]]);
      }
      Arrays.sort(held);
      heldOut[u] = held;
    }
    return new Split(train.build(), heldOut);
  }

  /** Ranks for every user with held-out items, their training items excluded. */
  public static Result evaluate(Split split, Scorer scorer, int k) {
    Interactions train = split.train();
    double[] scores = new double[train.items()];
    double[] ndcgs = new double[train.users()], recalls = new double[train.users()];
    int users = 0;
    for (int u = 0; u < train.users(); u++) {
      int[] held = split.heldOut()[u];
      if (held.length == 0) continue;
      BitSet trained = new BitSet(train.items());
      for (int item : train.itemsOf(u)) trained.set(item);
      scorer.scores(u, scores);
      int[] top = TopK.of(scores, k, trained);
      ndcgs[users] =
          RankingMetrics.ndcg(top, i -> Arrays.binarySearch(held, i) >= 0, held.length, k);
      recalls[users++] =
          RankingMetrics.recall(top, i -> Arrays.binarySearch(held, i) >= 0, held.length, k);
    }
    ndcgs = Arrays.copyOf(ndcgs, users);
    recalls = Arrays.copyOf(recalls, users);
    return new Result(
        Arrays.stream(ndcgs).average().orElse(0),
        Arrays.stream(recalls).average().orElse(0),
        users,
        k,
        ndcgs,
        recalls);
  }

  /** Items by how many users have them in {@code train}, the same list for every user. */
  public static Scorer popularity(Interactions train) {
    double[] counts = new double[train.items()];
    for (int i = 0; i < counts.length; i++) counts[i] = train.usersOf(i);
    return (user, out) -> System.arraycopy(counts, 0, out, 0, counts.length);
  }

  /** A trained model's affinities. */
  public static Scorer of(AlsModel model) {
    return (user, out) -> {
      for (int i = 0; i < out.length; i++) out[i] = model.score(user, i);
    };
  }

  /** An EASE model's scores for the user's training pairs. */
  public static Scorer of(EaseModel model, Interactions train) {
    return (user, out) -> model.scores(train.itemsOf(user), train.weightsOf(user), out);
  }
}
