package dev.freshet.actors.learning;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", 2019): item-to-item weights
 * {@code B = I − P·diag(1/diag(P))} with {@code P = (XᵀX + λI)⁻¹} and a zero diagonal, and a user's
 * score for item {@code j} the sum of {@code B[i][j]} over the items {@code i} the user has. The
 * inverse is dense in the number of items, so only the {@code maxItems} items with the most users
 * take part; the others score nothing (NaN: never ranked by it). Immutable.
 */
public final class EaseModel {

  private final int items;

  /** Item index → its row in {@link #weights}, -1 for items outside the model. */
  private final int[] row;

  /** {@code B} over the modelled items, row-major. */
  private final float[] weights;

  private final int modelled;

  private EaseModel(int items, int[] row, float[] weights, int modelled) {
    this.items = items;
    this.row = row;
    this.weights = weights;
    this.modelled = modelled;
  }

  /** Items the model covers. */
  public int modelled() {
    return modelled;
  }

  /**
   * Trains on {@code data} (a pair counts with its weight where positive, not at all otherwise),
   * over the {@code maxItems} items with most users.
   */
  public static EaseModel train(Interactions data, EaseSettings settings) {
    double lambda = settings.lambda();
    int maxItems = settings.maxItems();
    Integer[] byUsers = new Integer[data.items()];
    for (int i = 0; i < byUsers.length; i++) byUsers[i] = i;
    Arrays.sort(byUsers, (a, b) -> Integer.compare(data.usersOf(b), data.usersOf(a)));
    int n = 0;
    int[] row = new int[data.items()];
    Arrays.fill(row, -1);
    for (int k = 0; k < Math.min(maxItems, byUsers.length); k++)
      if (data.usersOf(byUsers[k]) > 0) row[byUsers[k]] = n++;

    // XᵀX over the modelled items: each user adds the products of their pairs' weights
    DMatrixRMaj gram = new DMatrixRMaj(n, n);
    Interactions.Rows users = data.byUser();
    int[] mine = new int[data.items()];
    double[] value = new double[data.items()];
    for (int u = 0; u < data.users(); u++) {
      int m = 0;
      for (int k = users.start()[u]; k < users.start()[u + 1]; k++) {
        int r = row[users.columns()[k]];
        if (r >= 0 && users.weights()[k] > 0) {
          mine[m] = r;
          value[m++] = users.weights()[k];
        }
      }
      for (int a = 0; a < m; a++) {
        int base = mine[a] * n;
        for (int b = 0; b < m; b++) gram.data[base + mine[b]] += value[a] * value[b];
      }
    }
    for (int d = 0; d < n; d++) gram.data[d * n + d] += lambda;
    LinearSolverDense<DMatrixRMaj> cholesky = LinearSolverFactory_DDRM.symmPosDef(n);
    if (!cholesky.setA(gram)) throw new IllegalStateException("XᵀX + λI not positive definite");
    DMatrixRMaj p = new DMatrixRMaj(n, n);
    cholesky.invert(p);
    float[] b = new float[n * n];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        if (i != j) b[i * n + j] = (float) (-p.data[i * n + j] / p.data[j * n + j]);
    return new EaseModel(data.items(), row, b, n);
  }

  /**
   * A model as stored: {@code rowItems[r]} is the item (index below {@code items}) of row {@code r}
   * of {@code weights}, {@code B} row-major over those rows.
   */
  public static EaseModel ofWeights(int items, int[] rowItems, float[] weights) {
    int n = rowItems.length;
    if (items < 0) throw new IllegalArgumentException("items must be >= 0, got " + items);
    if ((long) n * n != weights.length)
      throw new IllegalArgumentException(
          n + " rows need " + (long) n * n + " weights, got " + weights.length);
    int[] row = new int[items];
    Arrays.fill(row, -1);
    for (int r = 0; r < n; r++) {
      int item = rowItems[r];
      if (item < 0 || item >= items)
        throw new IllegalArgumentException("row " + r + ": item " + item + " outside 0.." + items);
      if (row[item] >= 0)
        throw new IllegalArgumentException("row " + r + ": item " + item + " has two rows");
      row[item] = r;
    }
    return new EaseModel(items, row, weights, n);
  }

  /** The items (indexes) the model was trained over, modelled or not. */
  public int items() {
    return items;
  }

  /** The item of each row of {@link #weights()}. */
  public int[] rowItems() {
    int[] items = new int[modelled];
    for (int i = 0; i < row.length; i++) if (row[i] >= 0) items[row[i]] = i;
    return items;
  }

  /** {@code B} over the modelled items, row-major (by {@link #rowItems()}); not to be modified. */
  public float[] weights() {
    return weights;
  }

  /**
   * A user's scores for the modelled items (by row) from their pairs: {@code xᵀB} over the pairs of
   * positive weight. Items outside the model and negative pairs take no part.
   */
  public float[] userScores(int[] itemIndexes, float[] pairWeights) {
    double[] sums = new double[modelled];
    for (int k = 0; k < itemIndexes.length; k++) {
      int item = itemIndexes[k];
      int r = item >= 0 && item < items ? row[item] : -1;
      if (r < 0 || !(pairWeights[k] > 0)) continue;
      double w = pairWeights[k];
      int base = r * modelled;
      for (int j = 0; j < modelled; j++) sums[j] += w * weights[base + j];
    }
    float[] scores = new float[modelled];
    for (int j = 0; j < modelled; j++) scores[j] = (float) sums[j];
    return scores;
  }

  /** Whether the item has a row (is among those with most users when trained). */
  public boolean models(int item) {
    return item >= 0 && item < items && row[item] >= 0;
  }

  /** The item's score in {@link #userScores}; NaN for an item outside the model. */
  public double score(float[] userScores, int item) {
    int r = item >= 0 && item < items ? row[item] : -1;
    return r < 0 ? Double.NaN : userScores[r];
  }

  /** Scores every item for a user with these pairs ({@code out[item]}; NaN outside the model). */
  public void scores(int[] itemIndexes, float[] pairWeights, double[] out) {
    float[] user = userScores(itemIndexes, pairWeights);
    for (int i = 0; i < out.length; i++) out[i] = score(user, i);
  }
}
