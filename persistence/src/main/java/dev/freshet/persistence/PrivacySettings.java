package dev.freshet.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code freshet.privacy}: how long erasure tombstones live and the grace for late ranking events.
 */
public record PrivacySettings(Duration tombstoneTtl, Duration rankingGrace) {

  public static PrivacySettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.privacy");
    return new PrivacySettings(c.getDuration("tombstone-ttl"), c.getDuration("ranking-grace"));
  }
}
