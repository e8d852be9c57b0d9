package dev.freshet.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.learning.AlsSettings;
import dev.freshet.actors.learning.ModelVersions;
import dev.freshet.actors.learning.Trainer;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.JdbcCatalogStore;
import dev.freshet.persistence.JdbcInteractionRows;
import dev.freshet.persistence.JdbcModelVersions;
import dev.freshet.persistence.ReadModelPartitions;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A training run from the events read model of a real PostgreSQL to a recorded model version. */
class TrainingRunTest {

  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  private static EmbeddedDatabase embedded;
  private static Database database;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 4)));
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  private TrainingRun run(JdbcModelVersions versions) {
    return new TrainingRun(
        new JdbcInteractionRows(database.dataSource()),
        versions,
        new Trainer.Settings(
            new AlsSettings(8, 10, 1, 5, 1, 1),
            FeatureSettings.fromConfig(ConfigFactory.load()).signals(),
            10,
            2),
        Duration.ofDays(30));
  }

  @Test
  void aRunRecordsAVersionAndPromotesItThenTheNextIsJudgedAgainstIt() throws Exception {
    JdbcModelVersions versions = new JdbcModelVersions(database.dataSource());
    // nothing happened yet: nothing to train on
    TrainingRun.Result empty = run(versions).run(NOW);
    assertThat(empty.version()).isEmpty();
    assertThat(versions.latest(5)).isEmpty();

    // 100 items in four taste groups; 200 users, 12 clicks each over the last days
    List<ItemUpsert> items = new ArrayList<>();
    for (int i = 0; i < 100; i++)
      items.add(
          new ItemUpsert("m" + i, "c" + i / 25, List.of(), 0L, ItemStatus.ACTIVE, 0, null, "{}"));
    new JdbcCatalogStore(database.dataSource(), "test").upsert(items);
    new ReadModelPartitions(database.dataSource())
        .ensure("events", List.of(NOW.minus(Duration.ofDays(5)), NOW));
    Random random = new Random(7);
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO events (user_id, seq_nr, idx, item_id, type, occurred_at)"
                    + " VALUES (?, ?, 0, ?, 'click', ?)")) {
      for (int u = 0; u < 200; u++) {
        for (int n = 0; n < 12; n++) {
          insert.setString(1, "u" + u);
          insert.setLong(2, n + 1);
          insert.setString(3, "m" + ((u % 4) * 25 + random.nextInt(25)));
          insert.setTimestamp(
              4, Timestamp.from(NOW.minus(Duration.ofDays(4)).plusSeconds(n * 3_600L + u)));
          insert.addBatch();
        }
      }
      insert.executeBatch();
    }

    TrainingRun.Result first = run(versions).run(NOW);
    assertThat(first.rows()).isEqualTo(2_400);
    assertThat(first.version()).isPresent();
    assertThat(first.promoted()).as(first.reason()).isTrue();
    ModelVersions.Version serving = versions.serving().orElseThrow();
    assertThat(serving.version()).isEqualTo(first.version().get());
    assertThat(serving.items()).isEqualTo(100);
    assertThat(serving.itemFactors()).hasSize(100 * 8);
    assertThat(serving.evaluation().ndcg()).isGreaterThan(serving.evaluation().popularityNdcg());

    TrainingRun.Result second = run(versions).run(NOW.plusSeconds(60));
    assertThat(second.version()).isPresent();
    assertThat(second.reason()).contains("serving version " + first.version().get());
    assertThat(versions.latest(5))
        .hasSize(2)
        .filteredOn(ModelVersions.Version::promoted)
        .hasSize(1);
  }
}
