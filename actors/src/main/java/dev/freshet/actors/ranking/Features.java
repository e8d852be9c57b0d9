package dev.freshet.actors.ranking;

import java.util.List;

/** The names of the ranking features, as they appear in configuration and in {@code explain}. */
public final class Features {
  public static final String POPULARITY = "popularity";
  public static final String TRENDING = "trending";
  public static final String FRESHNESS = "freshness";
  public static final String CATEGORY_AFFINITY = "categoryAffinity";
  public static final String TAG_AFFINITY = "tagAffinity";
  public static final String VECTOR_SIMILARITY = "vectorSimilarity";
  public static final String SESSION_SIMILARITY = "sessionSimilarity";
  public static final String INTENT_PENALTY = "intentPenalty";

  /** In the order of a feature vector. */
  public static final List<String> ALL =
      List.of(POPULARITY, TRENDING, FRESHNESS, CATEGORY_AFFINITY, TAG_AFFINITY, VECTOR_SIMILARITY,
          SESSION_SIMILARITY, INTENT_PENALTY);

  private Features() {}

  public static int index(String feature) {
    int i = ALL.indexOf(feature);
    if (i < 0) throw new IllegalArgumentException("Unknown ranking feature " + feature + "; known: " + ALL);
    return i;
  }
}
