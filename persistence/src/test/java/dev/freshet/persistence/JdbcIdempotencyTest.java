package dev.freshet.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Idempotency keys in a real PostgreSQL: a client's keys and an import's age apart. */
class JdbcIdempotencyTest {

  private static EmbeddedDatabase embedded;
  private static Database database;
  private static JdbcIdempotency store;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 4)));
    store = new JdbcIdempotency(database.dataSource());
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  @Test
  void importKeysOutliveClientKeysUntilTheirOwnTimeToLive() throws SQLException {
    String importOwner = JdbcIdempotency.importOwner("ab".repeat(32));
    claimed("key_client", "two-days-old", Duration.ofDays(2));
    claimed("key_client", "an-hour-old", Duration.ofHours(1));
    claimed(importOwner, "import-two-days-old", Duration.ofDays(2));
    claimed(importOwner, "import-two-years-old", Duration.ofDays(730));

    assertThat(store.purgeOlderThan(Duration.ofDays(1), Duration.ofDays(400))).isEqualTo(2);

    assertThat(claim("key_client", "two-days-old")).isInstanceOf(JdbcIdempotency.Claimed.class);
    assertThat(claim("key_client", "an-hour-old")).isInstanceOf(JdbcIdempotency.Replay.class);
    assertThat(claim(importOwner, "import-two-days-old"))
        .isInstanceOf(JdbcIdempotency.Replay.class);
    assertThat(claim(importOwner, "import-two-years-old"))
        .isInstanceOf(JdbcIdempotency.Claimed.class);
  }

  /** A completed key of {@code owner}, claimed {@code age} ago. */
  private static void claimed(String owner, String key, Duration age) throws SQLException {
    assertThat(claim(owner, key)).isInstanceOf(JdbcIdempotency.Claimed.class);
    store.complete(owner, key, 202, "{\"accepted\":1}");
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement backdate =
            c.prepareStatement(
                "UPDATE idempotency_keys SET created_at = ? WHERE owner = ? AND key = ?")) {
      backdate.setTimestamp(1, Timestamp.from(Instant.now().minus(age)));
      backdate.setString(2, owner);
      backdate.setString(3, key);
      assertThat(backdate.executeUpdate()).isEqualTo(1);
    }
  }

  private static JdbcIdempotency.Claim claim(String owner, String key) {
    return store.claim(owner, key, "/v1/events", "hash", Duration.ofSeconds(30));
  }
}
