package dev.freshet.actors.retrieval;

import java.util.Random;

/** Synthetic factor matrices for the factor index's tests and measurements. */
final class FactorData {

  private FactorData() {}

  /** {@code rows × factors} independent standard normals, row-major. */
  static float[] gaussian(int rows, int factors, long seed) {
    Random random = new Random(seed);
    float[] m = new float[rows * factors];
    for (int i = 0; i < m.length; i++) m[i] = (float) random.nextGaussian();
    return m;
  }

  /**
   * Rows shaped like a trained factorisation's: each near one of {@code clusters} taste directions
   * (genres), and of a length drawn from a log-normal (popular items' factors are longer, and an
   * inner-product search must find them where a cosine one would not). Users are drawn the same way
   * with another seed.
   */
  static float[] alsLike(int rows, int factors, int clusters, long seed) {
    Random centres = new Random(1234); // the same tastes for items and users
    float[] c = new float[clusters * factors];
    for (int i = 0; i < c.length; i++) c[i] = (float) centres.nextGaussian();
    Random random = new Random(seed);
    float[] m = new float[rows * factors];
    for (int r = 0; r < rows; r++) {
      int cluster = random.nextInt(clusters);
      double norm = 0;
      for (int d = 0; d < factors; d++) {
        float v = c[cluster * factors + d] + 0.6f * (float) random.nextGaussian();
        m[r * factors + d] = v;
        norm += v * v;
      }
      double length = Math.exp(0.5 * random.nextGaussian()) / Math.sqrt(norm);
      for (int d = 0; d < factors; d++) m[r * factors + d] *= (float) length;
    }
    return m;
  }

  static float[] row(float[] m, int factors, int r) {
    return java.util.Arrays.copyOfRange(m, r * factors, (r + 1) * factors);
  }

  /** Mean share of the exact top-k the answer holds. */
  static double recall(int[][] exact, int[][] answers) {
    double sum = 0;
    for (int q = 0; q < exact.length; q++) {
      java.util.Set<Integer> truth = new java.util.HashSet<>();
      for (int id : exact[q]) truth.add(id);
      int hits = 0;
      for (int id : answers[q]) if (truth.contains(id)) hits++;
      sum += exact[q].length == 0 ? 1 : (double) hits / exact[q].length;
    }
    return sum / exact.length;
  }
}
