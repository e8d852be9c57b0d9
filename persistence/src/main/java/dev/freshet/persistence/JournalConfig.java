package dev.freshet.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

/**
 * The pekko-persistence-jdbc settings for a database known only at start-up (the embedded server's
 * port is picked then): journal and snapshot store share one Slick pool, configured in {@code
 * freshet-journal.conf} under {@code pekko-persistence-jdbc.shared-databases.slick} and sized here
 * from {@link DatabaseSettings#journalPoolSize()}; the read journal has one of its own ({@code
 * slick-read}, {@link DatabaseSettings#readJournalPoolSize()}).
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
        .withFallback(readJournal(db))
        .withFallback(ConfigFactory.parseResources(JournalConfig.class, "/freshet-journal.conf"));
  }

  /**
   * The read journal (the projections' eventsByTag, the history's and export's
   * currentEventsByPersistenceId) on a Slick pool of its own, so that its polling never holds the
   * threads the journal writes wait for. Sharing one pool of 4 made ingest 4 times slower than a
   * shared pool of 16; 4 + 4 apart was faster than 16 shared (issue 14, same-machine A/B runs).
   */
  private static Config readJournal(DatabaseSettings db) {
    int size = db.readJournalPoolSize();
    String prefix = "pekko-persistence-jdbc.shared-databases.slick-read.";
    return ConfigFactory.empty()
        .withValue("jdbc-read-journal.use-shared-db", ConfigValueFactory.fromAnyRef("slick-read"))
        .withValue(prefix + "profile", ConfigValueFactory.fromAnyRef("slick.jdbc.PostgresProfile$"))
        .withValue(prefix + "db.connectionPool", ConfigValueFactory.fromAnyRef("HikariCP"))
        .withValue(prefix + "db.url", ConfigValueFactory.fromAnyRef(db.url()))
        .withValue(prefix + "db.user", ConfigValueFactory.fromAnyRef(db.user()))
        .withValue(prefix + "db.password", ConfigValueFactory.fromAnyRef(db.password()))
        .withValue(prefix + "db.driver", ConfigValueFactory.fromAnyRef("org.postgresql.Driver"))
        .withValue(prefix + "db.numThreads", ConfigValueFactory.fromAnyRef(size))
        .withValue(prefix + "db.maxConnections", ConfigValueFactory.fromAnyRef(size))
        .withValue(
            prefix + "db.minConnections", ConfigValueFactory.fromAnyRef(Math.max(1, size / 2)))
        .withValue(prefix + "db.connectionTimeout", ConfigValueFactory.fromAnyRef(5000))
        .withValue(prefix + "db.queueSize", ConfigValueFactory.fromAnyRef(10000));
  }
}
