package dev.freshet.bench.vectors;

import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/** Brute-force top-k by dot product: the ground truth every library's recall is measured on. */
public final class ExactSearch {

  private ExactSearch() {}

  /**
   * The {@code k} allowed items with the highest dot product with {@code query}, best first; ties
   * go to the lower id so the truth is deterministic.
   */
  public static int[] topK(float[][] items, float[] query, int k, IntPredicate allowed) {
    // a bounded min-heap of (score, id): the root is the worst of the best k found so far
    int[] ids = new int[k];
    float[] scores = new float[k];
    int size = 0;
    for (int i = 0; i < items.length; i++) {
      if (allowed != null && !allowed.test(i)) {
        continue;
      }
      float s = dot(items[i], query);
      if (size < k) {
        ids[size] = i;
        scores[size] = s;
        siftUp(ids, scores, size++);
      } else if (better(s, i, scores[0], ids[0])) {
        ids[0] = i;
        scores[0] = s;
        siftDown(ids, scores, size);
      }
    }
    int[] out = new int[size];
    for (int n = size; n > 0; n--) { // pop the worst first, fill from the back
      out[n - 1] = ids[0];
      ids[0] = ids[n - 1];
      scores[0] = scores[n - 1];
      siftDown(ids, scores, n - 1);
    }
    return out;
  }

  /** {@link #topK} for every query, on the common fork-join pool (it is not a measured figure). */
  public static int[][] topK(float[][] items, float[][] queries, int k, IntPredicate allowed) {
    int[][] out = new int[queries.length][];
    IntStream.range(0, queries.length)
        .parallel()
        .forEach(q -> out[q] = topK(items, queries[q], k, allowed));
    return out;
  }

  static float dot(float[] a, float[] b) {
    float s = 0;
    for (int d = 0; d < a.length; d++) {
      s += a[d] * b[d];
    }
    return s;
  }

  private static boolean better(float s1, int id1, float s2, int id2) {
    return s1 > s2 || (s1 == s2 && id1 < id2);
  }

  private static void siftUp(int[] ids, float[] scores, int i) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!better(scores[parent], ids[parent], scores[i], ids[i])) {
        return;
      }
      swap(ids, scores, i, parent);
      i = parent;
    }
  }

  private static void siftDown(int[] ids, float[] scores, int size) {
    int i = 0;
    while (true) {
      int worst = i;
      int l = 2 * i + 1;
      int r = l + 1;
      if (l < size && better(scores[worst], ids[worst], scores[l], ids[l])) {
        worst = l;
      }
      if (r < size && better(scores[worst], ids[worst], scores[r], ids[r])) {
        worst = r;
      }
      if (worst == i) {
        return;
      }
      swap(ids, scores, i, worst);
      i = worst;
    }
  }

  private static void swap(int[] ids, float[] scores, int a, int b) {
    int id = ids[a];
    ids[a] = ids[b];
    ids[b] = id;
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
  }
}
