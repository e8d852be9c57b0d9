package dev.freshet.actors.retrieval;

/**
 * The {@code k} best (id, score) pairs offered so far: a min-heap on primitive arrays, so that
 * merging a graph's answer with an exact scan allocates nothing per candidate. Equal scores keep
 * the lower id, so answers are the same in every run.
 */
final class BestK {
  private final float[] scores;
  private final int[] ids;
  private int size;

  BestK(int k) {
    scores = new float[Math.max(1, k)];
    ids = new int[Math.max(1, k)];
  }

  void offer(int id, float score) {
    if (size < scores.length) {
      scores[size] = score;
      ids[size] = id;
      up(size++);
    } else if (better(score, id, scores[0], ids[0])) {
      scores[0] = score;
      ids[0] = id;
      down(0);
    }
  }

  int size() {
    return size;
  }

  /** The pairs best first; empties this heap. */
  Neighbours drain() {
    int n = size;
    int[] outIds = new int[n];
    float[] outScores = new float[n];
    for (int at = n - 1; at >= 0; at--) {
      outIds[at] = ids[0];
      outScores[at] = scores[0];
      swap(0, --size);
      down(0);
    }
    return new Neighbours(outIds, outScores);
  }

  private static boolean better(float s, int id, float than, int thanId) {
    return s > than || (s == than && id < thanId);
  }

  private void up(int i) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!better(scores[parent], ids[parent], scores[i], ids[i])) return;
      swap(i, parent);
      i = parent;
    }
  }

  private void down(int i) {
    while (true) {
      int l = 2 * i + 1, r = l + 1, worst = i;
      if (l < size && better(scores[worst], ids[worst], scores[l], ids[l])) worst = l;
      if (r < size && better(scores[worst], ids[worst], scores[r], ids[r])) worst = r;
      if (worst == i) return;
      swap(i, worst);
      i = worst;
    }
  }

  private void swap(int a, int b) {
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    int id = ids[a];
    ids[a] = ids[b];
    ids[b] = id;
  }
}
