package dev.freshet.actors.ranking;

import dev.freshet.actors.learning.CfModel;

/**
 * A user's side of collaborative filtering in one ranking: their factors under the model their
 * variant ranks with. Scores are the model's predicted preference (about 0 to 1 for implicit
 * feedback), clipped to [-1, 1] so that one odd prediction cannot outweigh every other feature.
 */
public record CfScores(CfModel model, float[] user) {

  /** No model serves, or the user has nothing it knows to fold in. */
  public static final CfScores NONE = new CfScores(null, null);

  public boolean present() {
    return model != null && user != null;
  }

  double score(int denseId) {
    if (!present()) return 0.0;
    return Math.max(-1.0, Math.min(1.0, model.score(user, denseId)));
  }

  /** The model version, 0 without one. */
  public long version() {
    return model == null ? 0 : model.version();
  }
}
