package dev.freshet.actors.learning;

import java.util.function.IntPredicate;

/** Top-k metrics of one ranked list against a set of relevant items (binary relevance). */
public final class RankingMetrics {

  private RankingMetrics() {}

  /**
   * Normalised discounted cumulative gain: {@code Σ 1/log2(rank + 1)} over the relevant items in
   * the first {@code k}, divided by the same sum for an ideal list ({@code min(k, relevantCount)}
   * relevant items first). 0 when nothing is relevant.
   */
  public static double ndcg(int[] ranked, IntPredicate relevant, int relevantCount, int k) {
    double dcg = 0, ideal = 0;
    for (int r = 0; r < Math.min(k, ranked.length); r++)
      if (relevant.test(ranked[r])) dcg += 1 / log2(r + 2);
    for (int r = 0; r < Math.min(k, relevantCount); r++) ideal += 1 / log2(r + 2);
    return ideal == 0 ? 0 : dcg / ideal;
  }

  /** The share of the relevant items found in the first {@code k}. 0 when nothing is relevant. */
  public static double recall(int[] ranked, IntPredicate relevant, int relevantCount, int k) {
    if (relevantCount == 0) return 0;
    int found = 0;
    for (int r = 0; r < Math.min(k, ranked.length); r++) if (relevant.test(ranked[r])) found++;
    return (double) found / relevantCount;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
