package dev.freshet.actors.features;

import com.typesafe.config.Config;

/** {@code freshet.features}: decay, session and size bounds of a user's real-time features. */
public record FeatureSettings(
    long halfLifeMillis,
    long sessionGapMillis,
    int sessionItems,
    int maxCategories,
    int maxTags,
    SignalWeights signals) {

  public static FeatureSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.features");
    return new FeatureSettings(
        c.getDuration("affinity-half-life").toMillis(),
        c.getDuration("session-gap").toMillis(),
        c.getInt("session-items"),
        c.getInt("max-categories"),
        c.getInt("max-tags"),
        SignalWeights.fromConfig(c.getConfig("signals")));
  }
}
