package dev.freshet.streams.readmodel;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code freshet.read-models}: batching and restart backoff of every projection. */
public record ProjectionSettings(
    boolean enabled,
    int batchSize,
    Duration maxDelay,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    Duration monitorInterval) {

  public static ProjectionSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.read-models");
    return new ProjectionSettings(
        c.getBoolean("enabled"),
        c.getInt("batch-size"),
        c.getDuration("max-delay"),
        c.getDuration("restart.min-backoff"),
        c.getDuration("restart.max-backoff"),
        c.getDouble("restart.random-factor"),
        c.getDuration("monitor-interval"));
  }
}
