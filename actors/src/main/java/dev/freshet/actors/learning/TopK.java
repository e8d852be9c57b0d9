package dev.freshet.actors.learning;

/** The indexes of the {@code k} largest of an array of scores, best first (ties: lower index). */
final class TopK {

  private TopK() {}

  /** Skips every index {@code skip} holds (null: none) and every score that is not a number. */
  static int[] of(double[] scores, int k, java.util.BitSet skip) {
    int[] heap = new int[Math.max(0, k)];
    int size = 0;
    for (int i = 0; i < scores.length; i++) {
      if ((skip != null && skip.get(i)) || Double.isNaN(scores[i])) continue;
      if (size < k) {
        heap[size] = i;
        up(heap, size++, scores);
      } else if (k > 0 && better(i, heap[0], scores)) {
        heap[0] = i;
        down(heap, size, scores);
      }
    }
    int[] out = new int[size];
    for (int n = size - 1; n >= 0; n--) {
      out[n] = heap[0];
      heap[0] = heap[n];
      down(heap, n, scores);
    }
    return out;
  }

  private static boolean better(int a, int b, double[] s) {
    return s[a] > s[b] || (s[a] == s[b] && a < b);
  }

  /** A min-heap by {@link #better}: the root is the worst kept. */
  private static void up(int[] heap, int at, double[] s) {
    while (at > 0) {
      int parent = (at - 1) / 2;
      if (!better(heap[parent], heap[at], s)) break;
      swap(heap, parent, at);
      at = parent;
    }
  }

  private static void down(int[] heap, int size, double[] s) {
    int at = 0;
    while (true) {
      int l = 2 * at + 1, r = l + 1, worst = at;
      if (l < size && better(heap[worst], heap[l], s)) worst = l;
      if (r < size && better(heap[worst], heap[r], s)) worst = r;
      if (worst == at) return;
      swap(heap, at, worst);
      at = worst;
    }
  }

  private static void swap(int[] heap, int a, int b) {
    int t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  }
}
