package dev.freshet.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

/**
 * The pekko-persistence-jdbc settings for a database known only at start-up (the embedded server's
 * port is picked then): journal, snapshot store and read journal share one Slick pool, configured
 * in {@code freshet-journal.conf} under {@code pekko-persistence-jdbc.shared-databases.slick}, and
 * sized here from {@link DatabaseSettings#journalPoolSize()}.
 */
public final class JournalConfig {
  private JournalConfig() {}

  public static Config forDatabase(DatabaseSettings db) {
    String prefix = "pekko-persistence-jdbc.shared-databases.slick.db.";
    int size = db.journalPoolSize();
    return ConfigFactory.empty()
        .withValue(prefix + "url", ConfigValueFactory.fromAnyRef(db.url()))
        .withValue(prefix + "user", ConfigValueFactory.fromAnyRef(db.user()))
        .withValue(prefix + "password", ConfigValueFactory.fromAnyRef(db.password()))
        // numThreads == maxConnections, as the plugin's reference.conf asks
        .withValue(prefix + "numThreads", ConfigValueFactory.fromAnyRef(size))
        .withValue(prefix + "maxConnections", ConfigValueFactory.fromAnyRef(size))
        .withValue(prefix + "minConnections", ConfigValueFactory.fromAnyRef(Math.max(1, size / 2)))
        // at most half the connections write the journal at once: the writer coalesces the
        // entities' concurrent persists into one INSERT per batch meanwhile, and recovery,
        // snapshots
        // and the read journal's queries keep connections of their own
        .withValue("jdbc-journal.parallelism", ConfigValueFactory.fromAnyRef(Math.max(1, size / 2)))
        .withFallback(ConfigFactory.parseResources(JournalConfig.class, "/freshet-journal.conf"));
  }
}
