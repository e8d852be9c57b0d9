package dev.freshet.actors.learning;

import java.util.function.IntPredicate;

/**
 * A trained model version as a node serves it: its item factors (by dense id) and what folding a
 * user in needs. Immutable; shared by every user entity of the node.
 */
public final class CfModel {

  private final long version;
  private final AlsModel model;

  public CfModel(long version, AlsModel model) {
    this.version = version;
    this.model = model;
  }

  /** The stored version as served: item factors and the settings it was trained with. */
  public static CfModel of(ModelVersions.Version stored) {
    AlsSettings settings =
        AlsSettings.parse(stored.params())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "version "
                            + stored.version()
                            + " has no ALS settings: "
                            + stored.params()));
    if (settings.factors() != stored.factors())
      throw new IllegalArgumentException(
          "version " + stored.version() + ": params and factors disagree");
    return new CfModel(stored.version(), AlsModel.ofItemFactors(settings, stored.itemFactors()));
  }

  public long version() {
    return version;
  }

  public int factors() {
    return model.factors();
  }

  /** Items with factors: dense ids {@code 0 .. items() - 1} (items created since have none). */
  public int items() {
    return model.items();
  }

  /** The items' factors, row-major; not to be modified. */
  public float[] itemFactors() {
    return model.itemFactors();
  }

  /**
   * A user's factors from their pairs (dense ids and weights, ids distinct): the training's own
   * user step against these item factors. Pairs of items the model has no factors for are left out;
   * null when none is left.
   */
  public float[] foldIn(int[] itemIds, float[] weights) {
    int n = 0;
    for (int id : itemIds) if (id >= 0 && id < items()) n++;
    if (n == 0) return null;
    int[] known = new int[n];
    float[] w = new float[n];
    for (int k = 0, j = 0; k < itemIds.length; k++) {
      if (itemIds[k] < 0 || itemIds[k] >= items()) continue;
      known[j] = itemIds[k];
      w[j++] = weights[k];
    }
    return model.foldIn(known, w);
  }

  /**
   * What the model predicts, on average, for the items of these pairs the user took to (positive
   * weight) and the model knows: the user's own scale, which scores are read against. 0 when there
   * is none, or the model predicts nothing positive for them.
   */
  public double scale(float[] user, int[] itemIds, float[] weights) {
    if (user == null) return 0.0;
    double sum = 0;
    int n = 0;
    for (int k = 0; k < itemIds.length; k++) {
      if (weights[k] <= 0 || itemIds[k] < 0 || itemIds[k] >= items()) continue;
      sum += model.score(user, itemIds[k]);
      n++;
    }
    return n == 0 ? 0.0 : Math.max(0.0, sum / n);
  }

  /** The user's affinity for the item: 0 for an item without factors. */
  public double score(float[] user, int denseId) {
    if (user == null || denseId < 0 || denseId >= items()) return 0.0;
    return model.score(user, denseId);
  }

  /**
   * The {@code k} items {@code accept}s that {@code user} scores highest, best first (ties: lower
   * id first).
   */
  public int[] top(float[] user, int k, IntPredicate accept) {
    if (user == null || k <= 0) return new int[0];
    double[] scores = new double[items()];
    for (int id = 0; id < scores.length; id++)
      scores[id] = accept.test(id) ? model.score(user, id) : Double.NaN;
    return TopK.of(scores, k, null);
  }
}
