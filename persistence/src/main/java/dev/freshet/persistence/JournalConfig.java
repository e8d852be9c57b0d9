package dev.freshet.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

/**
 * The pekko-persistence-jdbc settings for a database known only at start-up (the embedded server's
 * port is picked then): journal, snapshot store and read journal share one Slick pool, configured
 * in {@code freshet-journal.conf} under {@code pekko-persistence-jdbc.shared-databases.slick}.
 */
public final class JournalConfig {
  private JournalConfig() {}

  public static Config forDatabase(DatabaseSettings db) {
    String prefix = "pekko-persistence-jdbc.shared-databases.slick.db.";
    return ConfigFactory.empty()
        .withValue(prefix + "url", ConfigValueFactory.fromAnyRef(db.url()))
        .withValue(prefix + "user", ConfigValueFactory.fromAnyRef(db.user()))
        .withValue(prefix + "password", ConfigValueFactory.fromAnyRef(db.password()))
        .withFallback(ConfigFactory.parseResources(JournalConfig.class, "/freshet-journal.conf"));
  }
}
