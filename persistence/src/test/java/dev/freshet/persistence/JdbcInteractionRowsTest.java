package dev.freshet.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.learning.TimeHoldout;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Training's rows from the events read model of a real PostgreSQL. */
class JdbcInteractionRowsTest {

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

  @Test
  void interactionsSinceATimeInEventTimeOrderWithDenseIdsAndWithoutImpressions() throws Exception {
    JdbcCatalogStore catalog = new JdbcCatalogStore(database.dataSource(), "test");
    var items =
        catalog.upsert(
            List.of(
                new ItemUpsert("m1", "c", List.of(), 0L, ItemStatus.ACTIVE, 0, null, "{}"),
                new ItemUpsert("m2", "c", List.of(), 0L, ItemStatus.ACTIVE, 0, null, "{}")));
    int m1 = items.get(0).denseId(), m2 = items.get(1).denseId();
    Instant t = Instant.parse("2026-10-30T12:00:00Z");
    Instant[] at = {t, t.plusSeconds(86_400 * 5), t.minusSeconds(86_400 * 40), t.plusSeconds(60)};
    new ReadModelPartitions(database.dataSource()).ensure("events", List.of(at));
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO events (user_id, seq_nr, idx, item_id, type, intent, value,"
                    + " occurred_at) VALUES (?, ?, 0, ?, ?, ?, ?, ?)")) {
      Object[][] rows = {
        {"ann", 1L, "m1", "like", null, null, at[1]},
        {"ann", 2L, "m2", "skip", "not_interested", null, at[0]},
        {"bob", 1L, "m1", "dwell", null, 30_000L, at[3]},
        {"bob", 2L, "m2", "impression", null, null, at[3]},
        {"cid", 1L, "m2", "click", null, null, at[2]}, // before the window
        {"cid", 2L, "gone", "click", null, null, at[3]} // not in the catalog
      };
      for (Object[] r : rows) {
        insert.setString(1, (String) r[0]);
        insert.setLong(2, (Long) r[1]);
        insert.setString(3, (String) r[2]);
        insert.setString(4, (String) r[3]);
        insert.setString(5, (String) r[4]);
        insert.setObject(6, r[5]);
        insert.setTimestamp(7, Timestamp.from((Instant) r[6]));
        insert.executeUpdate();
      }
    }
    List<TimeHoldout.Row> read = new ArrayList<>();
    long n =
        new JdbcInteractionRows(database.dataSource()).forEachSince(t.minusSeconds(1), read::add);
    assertThat(n).isEqualTo(3);
    assertThat(read)
        .containsExactly(
            new TimeHoldout.Row(
                "ann", m2, InteractionType.SKIP, "not_interested", null, at[0].toEpochMilli()),
            new TimeHoldout.Row(
                "bob", m1, InteractionType.DWELL, null, 30_000L, at[3].toEpochMilli()),
            new TimeHoldout.Row("ann", m1, InteractionType.LIKE, null, null, at[1].toEpochMilli()));
  }
}
