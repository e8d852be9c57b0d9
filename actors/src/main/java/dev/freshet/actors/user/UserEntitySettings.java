package dev.freshet.actors.user;

import com.typesafe.config.Config;
import dev.freshet.actors.features.FeatureSettings;

/**
 * {@code freshet.user} (how often to snapshot, how many snapshots to keep) and
 * {@code freshet.features} (how the real-time features decay and are bounded).
 */
public record UserEntitySettings(int snapshotEvery, int keepSnapshots, FeatureSettings features) {

  public static UserEntitySettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.user");
    return new UserEntitySettings(
        c.getInt("snapshot-every"), c.getInt("keep-snapshots"), FeatureSettings.fromConfig(config));
  }
}
