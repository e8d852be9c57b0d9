package dev.freshet.actors.user;

import com.typesafe.config.Config;

/** {@code freshet.user} settings: how often to snapshot and how many snapshots to keep. */
public record UserEntitySettings(int snapshotEvery, int keepSnapshots) {

  public static UserEntitySettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.user");
    return new UserEntitySettings(c.getInt("snapshot-every"), c.getInt("keep-snapshots"));
  }
}
