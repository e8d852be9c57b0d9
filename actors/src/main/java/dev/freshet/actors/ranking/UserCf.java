package dev.freshet.actors.ranking;

/**
 * A user's collaborative-filtering vectors, by the model a variant ranks with (variants may pin a
 * model version): the user entity folds them in and keeps them.
 */
@FunctionalInterface
public interface UserCf {

  /** No collaborative filtering. */
  UserCf NONE = variant -> CfScores.NONE;

  CfScores forVariant(Variant variant);
}
