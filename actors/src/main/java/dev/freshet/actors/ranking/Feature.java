package dev.freshet.actors.ranking;

import java.util.Arrays;

/**
 * The ranking features. A feature's {@link #ordinal()} is its place in a feature vector and in a
 * variant's weights; {@link #key()} is its name in configuration and in {@code explain}.
 */
public enum Feature {
  POPULARITY("popularity"),
  TRENDING("trending"),
  FRESHNESS("freshness"),
  CATEGORY_AFFINITY("categoryAffinity"),
  TAG_AFFINITY("tagAffinity"),
  VECTOR_SIMILARITY("vectorSimilarity"),
  SESSION_SIMILARITY("sessionSimilarity"),
  INTENT_PENALTY("intentPenalty"),
  /**
   * Collaborative filtering: the user's factors (folded in from what they did) dotted with the
   * item's, from the trained model serving the user's variant; 0 without a model or for an item
   * created since it was trained.
   */
  CF("cf");

  private static final Feature[] ALL = values();

  private final String key;

  Feature(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  /** The feature at {@code index} of a feature vector. */
  static Feature at(int index) {
    return ALL[index];
  }

  /** How many features a feature vector has. */
  public static int count() {
    return ALL.length;
  }

  /** The feature named {@code key} in configuration. */
  public static Feature named(String key) {
    for (Feature feature : ALL) {
      if (feature.key.equals(key)) return feature;
    }
    throw new IllegalArgumentException(
        "Unknown ranking feature "
            + key
            + "; known: "
            + Arrays.stream(ALL).map(Feature::key).toList());
  }
}
