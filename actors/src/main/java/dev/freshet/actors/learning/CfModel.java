package dev.freshet.actors.learning;

import dev.freshet.actors.retrieval.FactorIndex;
import java.util.function.IntPredicate;

/**
 * A trained model version as a node serves it, whichever algorithm trained it: implicit ALS (item
 * factors; a user is folded in by the training's own user step) or EASE (item-to-item weights; a
 * user is their scores for the modelled items, {@code xᵀB} over their pairs). Either way a user's
 * "vector" comes from {@link #foldIn} and an item's score from {@link #score}. Immutable; shared by
 * every user entity of the node. Built off the serving threads ({@code ModelRefresh}): over a large
 * catalog an ALS model builds its factor index, which takes minutes at a million items.
 */
public final class CfModel {

  /** The algorithm's side: what a user's vector is, and how it scores an item. */
  private sealed interface Kind permits Als, Ease {
    int items();

    float[] foldIn(int[] itemIds, float[] weights);

    /** NaN for an item the model cannot score. */
    double score(float[] user, int denseId);

    /** The most the user's vector predicts for any item. */
    double maxScore(float[] user);

    /** The {@code k} accepted items scored highest, best first (ties: lower id first). */
    int[] top(float[] user, int k, IntPredicate accept);
  }

  /**
   * ALS: the item factors, and the factor index over them that answers the CF candidates (an exact
   * scan up to {@code FactorIndexSettings.exactUpTo} items, an inner-product graph above); no index
   * for a model loaded for scoring only.
   */
  private record Als(AlsModel model, FactorIndex index) implements Kind {
    Als(AlsModel model) {
      this(model, FactorIndex.build(model.itemFactors(), model.factors()));
    }

    public int items() {
      return model.items();
    }

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

    public double score(float[] user, int denseId) {
      return denseId < 0 || denseId >= items() ? Double.NaN : model.score(user, denseId);
    }

    public double maxScore(float[] user) {
      double max = Double.NEGATIVE_INFINITY;
      for (int id = 0; id < items(); id++) max = Math.max(max, model.score(user, id));
      return max;
    }

    public int[] top(float[] user, int k, IntPredicate accept) {
      if (index == null)
        throw new IllegalStateException("a model loaded for scoring only has no candidates");
      return index.top(user, k, accept);
    }
  }

  private record Ease(EaseModel model) implements Kind {
    public int items() {
      return model.items();
    }

    public float[] foldIn(int[] itemIds, float[] weights) {
      for (int k = 0; k < itemIds.length; k++)
        if (weights[k] > 0 && model.models(itemIds[k])) return model.userScores(itemIds, weights);
      return null; // nothing the model knows that the user took to
    }

    public double score(float[] user, int denseId) {
      return model.score(user, denseId);
    }

    public double maxScore(float[] user) {
      double max = Double.NEGATIVE_INFINITY;
      for (float score : user) max = Math.max(max, score);
      return max;
    }

    /** A scan of the modelled items (a few thousand at most: the inverse bounds them). */
    public int[] top(float[] user, int k, IntPredicate accept) {
      double[] scores = new double[items()];
      for (int id = 0; id < scores.length; id++)
        scores[id] = accept.test(id) ? model.score(user, id) : Double.NaN;
      return TopK.of(scores, k, null);
    }
  }

  private final long version;
  private final Kind kind;

  public CfModel(long version, AlsModel model) {
    this(version, new Als(model));
  }

  public CfModel(long version, EaseModel model) {
    this(version, new Ease(model));
  }

  private CfModel(long version, Kind kind) {
    this.version = version;
    this.kind = kind;
  }

  /**
   * The stored version as served: its item factors or weights, and the settings it was trained
   * with.
   */
  public static CfModel of(ModelVersions.Version stored) {
    return of(stored, true);
  }

  /**
   * The stored version for folding in and scoring only (the trainer's comparison with the version
   * serving): an ALS model builds no factor index, which above 20,000 items takes minutes.
   */
  static CfModel forScoring(ModelVersions.Version stored) {
    return of(stored, false);
  }

  private static CfModel of(ModelVersions.Version stored, boolean candidates) {
    try {
      return switch (stored.algorithm()) {
        case Trainer.ALS -> {
          AlsSettings settings =
              AlsSettings.parse(stored.params())
                  .orElseThrow(
                      () -> new IllegalArgumentException("no ALS settings: " + stored.params()));
          if (settings.factors() != stored.factors())
            throw new IllegalArgumentException("params and factors disagree");
          AlsModel model = AlsModel.ofItemFactors(settings, stored.itemFactors());
          yield new CfModel(stored.version(), candidates ? new Als(model) : new Als(model, null));
        }
        case Trainer.EASE ->
            new CfModel(
                stored.version(),
                EaseModel.ofWeights(stored.items(), stored.itemIds(), stored.itemFactors()));
        default -> throw new IllegalArgumentException("unknown algorithm " + stored.algorithm());
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("version " + stored.version() + ": " + e.getMessage(), e);
    }
  }

  public long version() {
    return version;
  }

  /**
   * Items the model was trained over: dense ids {@code 0 .. items() - 1} (items created since have
   * none).
   */
  public int items() {
    return kind.items();
  }

  /**
   * A user's vector from their pairs (dense ids and weights, ids distinct): for ALS the training's
   * own user step against the item factors, for EASE their scores. Pairs of items the model does
   * not know are left out; null when nothing is left.
   */
  public float[] foldIn(int[] itemIds, float[] weights) {
    return kind.foldIn(itemIds, weights);
  }

  /** The user's affinity for the item: 0 for an item the model does not score. */
  public double score(float[] user, int denseId) {
    if (user == null) return 0.0;
    double score = kind.score(user, denseId);
    return Double.isNaN(score) ? 0.0 : score;
  }

  /** The user's affinity for the item; NaN for an item the model does not score (evaluation). */
  double scoreOrNaN(float[] user, int denseId) {
    return kind.score(user, denseId);
  }

  /**
   * The most the model predicts for an item of these pairs the user took to (positive weight): the
   * user's own scale, which scores are read against. When that is nothing positive (EASE predicts
   * nothing for a user's only item: its own weight is 0), the most it predicts for any item. 0 when
   * the model predicts nothing positive for the user at all.
   */
  public double scale(float[] user, int[] itemIds, float[] weights) {
    if (user == null) return 0.0;
    double max = 0;
    for (int k = 0; k < itemIds.length; k++)
      if (weights[k] > 0) {
        double score = kind.score(user, itemIds[k]);
        if (score > max) max = score;
      }
    return max > 0 ? max : Math.max(0.0, kind.maxScore(user));
  }

  /**
   * The {@code k} items {@code accept}s that {@code user} scores highest, best first (ties: lower
   * id first); items the model does not score are never among them.
   */
  public int[] top(float[] user, int k, IntPredicate accept) {
    if (user == null || k <= 0) return new int[0];
    return kind.top(user, k, accept);
  }
}
