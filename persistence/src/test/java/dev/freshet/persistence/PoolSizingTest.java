package dev.freshet.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** Both pools follow the cores unless sized in the configuration. */
class PoolSizingTest {

  private static DatabaseSettings settings(String overrides) {
    return DatabaseSettings.fromConfig(
        ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()));
  }

  @Test
  void byDefaultBothPoolsHaveTwiceTheCoresAndAtLeastFour() {
    int cores = Runtime.getRuntime().availableProcessors();
    DatabaseSettings db = settings("");
    assertThat(db.poolSize()).isEqualTo(Math.max(4, 2 * cores));
    assertThat(db.journalPoolSize()).isEqualTo(Math.max(4, 2 * cores));
    assertThat(db.readJournalPoolSize()).isEqualTo(Math.max(4, 2 * cores));
    assertThat(DatabaseSettings.forCores(1)).isEqualTo(4);
    assertThat(DatabaseSettings.forCores(2)).isEqualTo(4);
    assertThat(DatabaseSettings.forCores(8)).isEqualTo(16);
  }

  @Test
  void theJournalsSlickPoolsHaveAsManyThreadsAsConnectionsAndTheWriterUsesHalf() {
    DatabaseSettings db =
        settings("freshet.db { pool-size = 3, journal-pool-size = 6, read-journal-pool-size = 2 }");
    assertThat(db.poolSize()).isEqualTo(3);

    Config journal = JournalConfig.forDatabase(db);
    Config slick = journal.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    assertThat(slick.getInt("numThreads")).isEqualTo(6);
    assertThat(slick.getInt("maxConnections")).isEqualTo(6);
    assertThat(slick.getInt("minConnections")).isEqualTo(3);
    assertThat(journal.getInt("jdbc-journal.parallelism")).isEqualTo(3);
    assertThat(journal.getString("jdbc-journal.use-shared-db")).isEqualTo("slick");
    assertThat(journal.getString("jdbc-snapshot-store.use-shared-db")).isEqualTo("slick");

    // the read journal polls on a pool of its own
    assertThat(journal.getString("jdbc-read-journal.use-shared-db")).isEqualTo("slick-read");
    Config read = journal.getConfig("pekko-persistence-jdbc.shared-databases.slick-read");
    assertThat(read.getString("profile")).isEqualTo("slick.jdbc.PostgresProfile$");
    assertThat(read.getInt("db.numThreads")).isEqualTo(2);
    assertThat(read.getInt("db.maxConnections")).isEqualTo(2);
    assertThat(read.getString("db.url")).isEqualTo(db.url());
  }
}
