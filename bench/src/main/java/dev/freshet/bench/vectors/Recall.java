package dev.freshet.bench.vectors;

import java.util.HashSet;
import java.util.Set;

/** Recall@k: the share of the true top k that a result holds, whatever their order. */
public final class Recall {

  private Recall() {}

  /**
   * {@code |truth ∩ result[0..k)| / min(k, |truth|)}: results beyond k do not count, and a result
   * shorter than k loses exactly the recall of what is missing (a shrunk result is never hidden).
   */
  public static double atK(int[] truth, int[] result, int k) {
    int expected = Math.min(k, truth.length);
    if (expected == 0) {
      return 1.0;
    }
    Set<Integer> wanted = new HashSet<>();
    for (int i = 0; i < expected; i++) {
      wanted.add(truth[i]);
    }
    int hits = 0;
    for (int i = 0; i < Math.min(k, result.length); i++) {
      if (wanted.remove(result[i])) { // remove: a duplicate in the result counts once
        hits++;
      }
    }
    return (double) hits / expected;
  }

  /** The mean of {@link #atK} over all queries. */
  public static double mean(int[][] truth, int[][] results, int k) {
    double sum = 0;
    for (int q = 0; q < truth.length; q++) {
      sum += atK(truth[q], results[q], k);
    }
    return sum / truth.length;
  }
}
