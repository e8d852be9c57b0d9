package dev.freshet.actors.ranking;

import dev.freshet.actors.learning.CfModel;

/**
 * A user's side of collaborative filtering in one ranking: their factors under the model their
 * variant ranks with, and their {@code scale}: the most the model predicts for an item the user did
 * take to. Scores are predictions relative to that scale, clipped to [-1, 1]: 1 for an item the
 * model expects the user to like as much as what they liked, whatever the model's own magnitudes
 * (implicit ALS shrinks every prediction by its regularisation, more for users with few items), so
 * that the feature's weight means the same for every user and model.
 */
public record CfScores(CfModel model, float[] user, double scale) {

  /** No model serves, or the user has nothing it knows to fold in. */
  public static final CfScores NONE = new CfScores(null, null, 1.0);

  public CfScores {
    if (!(scale > 0) || Double.isInfinite(scale))
      throw new IllegalArgumentException("scale must be positive, got " + scale);
  }

  /** A user's factors on the model's own scale. */
  public CfScores(CfModel model, float[] user) {
    this(model, user, 1.0);
  }

  public boolean present() {
    return model != null && user != null;
  }

  double score(int denseId) {
    if (!present()) return 0.0;
    return Math.max(-1.0, Math.min(1.0, model.score(user, denseId) / scale));
  }

  /** The model version, 0 without one. */
  public long version() {
    return model == null ? 0 : model.version();
  }
}
