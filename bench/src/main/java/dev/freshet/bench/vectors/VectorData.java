package dev.freshet.bench.vectors;

import java.util.SplittableRandom;

/**
 * The synthetic data set: a Gaussian mixture of unit vectors, the same for a given seed.
 *
 * <p>Uniformly random unit vectors are a weak test for ANN indexes (all distances look alike, so
 * there are no neighbourhoods to find), while embeddings of real items cluster by topic. Items and
 * queries are therefore drawn around {@code clusters} random unit centres with per-component noise
 * of {@code NOISE / sqrt(dim)}, so a point's cosine to its centre is about 0.78 in any dimension,
 * then normalised. Queries come from the same mixture with their own random stream (they are not
 * items), as a user vector would lie among the items it likes.
 */
public final class VectorData {

  /** Length of the noise vector relative to the unit centre. */
  static final double NOISE = 0.8;

  private final float[][] items;
  private final float[][] queries;

  private VectorData(float[][] items, float[][] queries) {
    this.items = items;
    this.queries = queries;
  }

  /** Generates {@code items} items and {@code queries} queries of dimension {@code dim}. */
  public static VectorData generate(int items, int queries, int dim, int clusters, long seed) {
    SplittableRandom centreRandom = new SplittableRandom(seed);
    float[][] centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = normalise(gaussian(centreRandom, dim, 1.0));
    }
    // separate streams, so the queries of a seed do not change with the number of items
    float[][] itemVectors = draw(centres, items, dim, new SplittableRandom(seed * 31 + 1));
    float[][] queryVectors = draw(centres, queries, dim, new SplittableRandom(seed * 31 + 2));
    return new VectorData(itemVectors, queryVectors);
  }

  private static float[][] draw(float[][] centres, int n, int dim, SplittableRandom random) {
    double sigma = NOISE / Math.sqrt(dim);
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] centre = centres[random.nextInt(centres.length)];
      float[] v = gaussian(random, dim, sigma);
      for (int d = 0; d < dim; d++) {
        v[d] += centre[d];
      }
      out[i] = normalise(v);
    }
    return out;
  }

  private static float[] gaussian(SplittableRandom random, int dim, double sigma) {
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = (float) (nextGaussian(random) * sigma);
    }
    return v;
  }

  // SplittableRandom has no nextGaussian on Java 17: Box-Muller (one of the pair is enough here)
  private static double nextGaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble(); // (0, 1], keeps log finite
    double v = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  static float[] normalise(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    float inv = (float) (1.0 / Math.sqrt(sum));
    for (int d = 0; d < v.length; d++) {
      v[d] *= inv;
    }
    return v;
  }

  public float[][] items() {
    return items;
  }

  public float[][] queries() {
    return queries;
  }

  public int dim() {
    return items.length > 0 ? items[0].length : queries[0].length;
  }
}
