package dev.freshet.actors.retrieval;

import java.io.IOException;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * A model's item factors (row-major, {@code factors} floats per item, the row index being the
 * item's dense id) as Lucene's HNSW code reads vectors, and the maximum-inner-product scorers it
 * builds and searches with.
 *
 * <p>The scorers compute the dot product straight from the shared array, rather than going through
 * {@link org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer}: that one asks the values for both
 * rows on every comparison, and values over one flat array can only hand a row out by copying it
 * into a buffer, two copies per dot product during a build that does billions of them. Their score
 * is Lucene's own {@link VectorSimilarityFunction#MAXIMUM_INNER_PRODUCT} (the dot product mapped to
 * a positive, order-preserving score by {@link VectorUtil#scaleMaxInnerProductScore}); on Java 17
 * Lucene has no vectorised dot product either, so nothing is lost by computing it here. They keep
 * no state, so one supplier serves any number of threads.
 */
final class FactorRows implements RandomAccessVectorValues.Floats {

  private final float[] rows;
  private final int factors;
  private final int size;

  /** Only {@link #vectorValue}'s: Lucene's contract lets a values object reuse one buffer. */
  private final float[] buffer;

  FactorRows(float[] rows, int factors) {
    this.rows = rows;
    this.factors = factors;
    this.size = rows.length / factors;
    this.buffer = new float[factors];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dimension() {
    return factors;
  }

  /** The row, copied into this object's buffer (valid until the next call; see {@link #copy}). */
  @Override
  public float[] vectorValue(int ord) {
    System.arraycopy(rows, ord * factors, buffer, 0, factors);
    return buffer;
  }

  @Override
  public FactorRows copy() {
    return new FactorRows(rows, factors);
  }

  /** Scores of one row against the others, as the graph builder asks for them. */
  RandomVectorScorerSupplier scorerSupplier() {
    return new RandomVectorScorerSupplier() {
      @Override
      public RandomVectorScorer scorer(int ord) {
        return rowScorer(rows, ord * factors);
      }

      @Override
      public RandomVectorScorerSupplier copy() {
        return this; // stateless
      }
    };
  }

  /** Scores of the rows against {@code query} (a user's vector of {@code factors} floats). */
  RandomVectorScorer scorer(float[] query) {
    return rowScorer(query, 0);
  }

  private RandomVectorScorer rowScorer(float[] query, int offset) {
    return new RandomVectorScorer.AbstractRandomVectorScorer(this) {
      @Override
      public float score(int node) throws IOException {
        return VectorUtil.scaleMaxInnerProductScore(
            dot(query, offset, rows, node * factors, factors));
      }
    };
  }

  /** The item's dot product with {@code query}: the one function both search paths rank by. */
  float dot(float[] query, int item) {
    return dot(query, 0, rows, item * factors, factors);
  }

  /**
   * {@code a[ao..ao+n) · b[bo..bo+n)}. Four running sums, because C2 on Java 17 does not vectorise
   * a float reduction and one sum would make every addition wait for the one before it.
   */
  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (int bound = n - 3; i < bound; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) s0 += a[ao + i] * b[bo + i];
    return (s0 + s1) + (s2 + s3);
  }
}
