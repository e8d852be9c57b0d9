package dev.freshet.actors.learning;

import org.ejml.data.DMatrixRMaj;

/**
 * A trained factorisation: {@code f} factors per user and per item (row-major float arrays), and
 * what folding a user in needs (the items' {@code YᵀY} and the training's λ and α). A user's
 * affinity for an item is the dot product of their factors. Immutable.
 */
public final class AlsModel {

  private final AlsSettings settings;
  private final float[] users;
  private final float[] items;
  private final DMatrixRMaj itemGram;
  private final ThreadLocal<ImplicitAls.RowSolver> solvers;

  AlsModel(AlsSettings settings, float[] users, float[] items, DMatrixRMaj itemGram) {
    this.settings = settings;
    this.users = users;
    this.items = items;
    this.itemGram = itemGram;
    this.solvers = ThreadLocal.withInitial(() -> new ImplicitAls.RowSolver(settings.factors()));
  }

  /**
   * A model of item factors alone (as stored: {@code settings.factors()} per item), whose users are
   * folded in: what a node serves from a stored version.
   */
  public static AlsModel ofItemFactors(AlsSettings settings, float[] itemFactors) {
    if (itemFactors.length % settings.factors() != 0)
      throw new IllegalArgumentException("item factors must be a multiple of the factors");
    return new AlsModel(
        settings, new float[0], itemFactors, ImplicitAls.gram(itemFactors, settings.factors()));
  }

  public int factors() {
    return settings.factors();
  }

  public AlsSettings settings() {
    return settings;
  }

  public int users() {
    return users.length / factors();
  }

  public int items() {
    return items.length / factors();
  }

  /** A copy of the user's factors. */
  public float[] userVector(int user) {
    return java.util.Arrays.copyOfRange(users, user * factors(), (user + 1) * factors());
  }

  /** A copy of the item's factors. */
  public float[] itemVector(int item) {
    return java.util.Arrays.copyOfRange(items, item * factors(), (item + 1) * factors());
  }

  /** The items' factors, row-major ({@code f} per item); not to be modified. */
  public float[] itemFactors() {
    return items;
  }

  /** The trained user's affinity for the item. */
  public double score(int user, int item) {
    return dot(users, user * factors(), item);
  }

  /** {@code vector}'s affinity for the item. */
  public double score(float[] vector, int item) {
    return dot(vector, 0, item);
  }

  private double dot(float[] u, int offset, int item) {
    int f = factors(), at = item * f;
    double sum = 0;
    for (int d = 0; d < f; d++) sum += u[offset + d] * items[at + d];
    return sum;
  }

  /**
   * The factors of a user with these pairs (item indexes and weights, items distinct) against the
   * trained item factors: the same solve as a training's user step, so a trained user folded in
   * again gets (within rounding) the factors training gave them, and a user's vector can follow
   * every event without a training.
   */
  public float[] foldIn(int[] itemIndexes, float[] weights) {
    if (itemIndexes.length != weights.length)
      throw new IllegalArgumentException("one weight per item");
    int f = factors();
    // the solver reads the other side as doubles: gather only the pairs' rows
    double[] rows = new double[itemIndexes.length * f];
    int[] local = new int[itemIndexes.length];
    for (int k = 0; k < itemIndexes.length; k++) {
      int item = itemIndexes[k];
      if (item < 0 || item >= items()) throw new IllegalArgumentException("unknown item " + item);
      for (int d = 0; d < f; d++) rows[k * f + d] = items[item * f + d];
      local[k] = k;
    }
    double[] out = new double[f];
    solvers.get().solve(itemGram, rows, local, weights, 0, local.length, settings, out, 0);
    float[] vector = new float[f];
    for (int d = 0; d < f; d++) vector[d] = (float) out[d];
    return vector;
  }
}
