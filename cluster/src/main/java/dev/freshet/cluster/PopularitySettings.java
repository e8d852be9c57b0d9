package dev.freshet.cluster;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code freshet.popularity}: the decay of the popularity board and the windows nodes share it in.
 */
public record PopularitySettings(Duration halfLife, Duration window, int buffer) {
  public static PopularitySettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.popularity");
    return new PopularitySettings(
        c.getDuration("half-life"), c.getDuration("window"), c.getInt("buffer"));
  }
}
