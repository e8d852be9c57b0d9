package dev.freshet.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.CatalogStore.CatalogChanges;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbcCatalogStoreTest {

  private static EmbeddedDatabase embedded;
  private static Database database;
  private static JdbcCatalogStore store;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 4)));
    store = new JdbcCatalogStore(database.dataSource(), "test");
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  private static ItemUpsert upsert(String id, ItemStatus status, float[] embedding) {
    return new ItemUpsert(
        id, "news", List.of("a", "b"), 1_700_000_000_000L, status, 3.5, embedding, "{\"x\": 1}");
  }

  @Test
  void assignsStableDenseIdsAndReportsChangesInVersionOrder() throws Exception {
    long start = store.changesSince(0).version();

    List<Item> first =
        store.upsert(
            List.of(
                upsert("s1", ItemStatus.ACTIVE, new float[] {1f, 2f}),
                upsert("s2", ItemStatus.ACTIVE, null)));
    List<Item> again =
        store.upsert(
            List.of(
                upsert("s2", ItemStatus.ARCHIVED, null), upsert("s3", ItemStatus.ACTIVE, null)));

    int s1 = first.get(0).denseId();
    assertThat(first.get(1).denseId()).isEqualTo(s1 + 1);
    assertThat(again.get(0).denseId()).isEqualTo(s1 + 1); // s2 keeps its dense id
    assertThat(again.get(1).denseId()).isEqualTo(s1 + 2);

    CatalogChanges changes = store.changesSince(start);
    assertThat(changes.items()).extracting(Item::id).containsExactly("s1", "s2", "s3");
    Item s1Read = changes.items().get(0);
    assertThat(s1Read.embedding()).containsExactly(1f, 2f);
    assertThat(s1Read.tags()).containsExactly("a", "b");
    assertThat(s1Read.createdAtMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(s1Read.attributesJson()).isEqualTo("{\"x\": 1}");
    assertThat(changes.items().get(1).status()).isEqualTo(ItemStatus.ARCHIVED);
    assertThat(store.changesSince(changes.version()).items()).isEmpty();

    try (Connection c = database.dataSource().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT status, reason FROM item_status_history WHERE item_id = 's2' ORDER BY changed_at, status DESC")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("active");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("archived");
      assertThat(rs.getString(2)).isEqualTo("status changed from active");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void embeddedServerIsDurable() throws Exception {
    // zonky starts PostgreSQL with -F (fsync off) by default; a 2xx must mean the write reached the
    // disk
    try (Connection c = database.dataSource().getConnection()) {
      for (String setting : List.of("fsync", "synchronous_commit")) {
        try (ResultSet rs = c.createStatement().executeQuery("SHOW " + setting)) {
          rs.next();
          assertThat(rs.getString(1)).as(setting).isEqualTo("on");
        }
      }
    }
  }

  @Test
  void repeatedIdInOneRequestIsStoredOnceLastWins() {
    List<Item> stored =
        store.upsert(
            List.of(upsert("r1", ItemStatus.ACTIVE, null), upsert("r1", ItemStatus.FLAGGED, null)));

    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).status()).isEqualTo(ItemStatus.FLAGGED);
  }

  @Test
  void dataSurvivesARestartOfTheEmbeddedServer() throws Exception {
    Path dir = Files.createTempDirectory("freshet-pg-restart");
    try (EmbeddedDatabase first = EmbeddedDatabase.start(dir, 0);
        Database db = Database.open(first.settings(new DatabaseSettings("", "", "", 2)))) {
      new JdbcCatalogStore(db.dataSource(), "test")
          .upsert(List.of(upsert("kept", ItemStatus.ACTIVE, null)));
    }
    try (EmbeddedDatabase second = EmbeddedDatabase.start(dir, 0);
        Database db = Database.open(second.settings(new DatabaseSettings("", "", "", 2)))) {
      assertThat(new JdbcCatalogStore(db.dataSource(), "test").changesSince(0).items())
          .extracting(Item::id)
          .containsExactly("kept");
    }
  }
}
