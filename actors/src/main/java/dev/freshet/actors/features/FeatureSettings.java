package dev.freshet.actors.features;

import com.typesafe.config.Config;

/**
 * {@code freshet.features}: decay, session and size bounds of a user's real-time features; {@code
 * foldInItems} bounds the items a user's collaborative-filtering vector is folded in from.
 */
public record FeatureSettings(
    long halfLifeMillis,
    long sessionGapMillis,
    int sessionItems,
    int maxCategories,
    int maxTags,
    SignalWeights signals,
    int foldInItems) {

  /** Without collaborative filtering's history (tests of the other features). */
  public FeatureSettings(
      long halfLifeMillis,
      long sessionGapMillis,
      int sessionItems,
      int maxCategories,
      int maxTags,
      SignalWeights signals) {
    this(halfLifeMillis, sessionGapMillis, sessionItems, maxCategories, maxTags, signals, 200);
  }

  public static FeatureSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.features");
    return new FeatureSettings(
        c.getDuration("affinity-half-life").toMillis(),
        c.getDuration("session-gap").toMillis(),
        c.getInt("session-items"),
        c.getInt("max-categories"),
        c.getInt("max-tags"),
        SignalWeights.fromConfig(c.getConfig("signals")),
        c.getInt("fold-in-items"));
  }
}
