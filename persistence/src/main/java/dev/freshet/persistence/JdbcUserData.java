package dev.freshet.persistence;

import dev.freshet.actors.user.UserEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Everything PostgreSQL holds about one user outside the user's journal events, for an access
 * request, and the erasure of all of it (journal and snapshots included) in one transaction.
 */
public final class JdbcUserData {

  /**
   * The sections of {@link #export}, each the query of one table's rows of the user (oldest first).
   */
  private static final Map<String, String> EXPORT = new LinkedHashMap<>();

  static {
    EXPORT.put(
        "impressions",
        "SELECT item_id AS \"itemId\", first_seen_at AS \"firstSeenAt\", last_seen_at AS \"lastSeenAt\", "
            + "view_count AS \"viewCount\", surface, ranking_id AS \"rankingId\", position "
            + "FROM user_impressions WHERE user_id = ? ORDER BY first_seen_at, item_id");
    EXPORT.put(
        "events",
        "SELECT type, item_id AS \"itemId\", occurred_at AS \"occurredAt\", intent, value, "
            + "ranking_id AS \"rankingId\", position, seq_nr AS \"journalSequenceNr\", idx AS \"journalIndex\" "
            + "FROM events WHERE user_id = ? ORDER BY occurred_at, seq_nr, idx");
    EXPORT.put(
        "activity",
        "SELECT last_active_at AS \"lastActiveAt\" FROM user_activity WHERE user_id = ?");
    EXPORT.put(
        "featureSnapshots",
        "SELECT taken_at AS \"takenAt\", seen, unseen, coverage, features "
            + "FROM user_features WHERE user_id = ? ORDER BY taken_at");
    // events of the user's that a read model could not write and set aside (the event as JSON, and
    // why)
    EXPORT.put(
        "deadLetters",
        "SELECT projection, reason, detail, event, seq_nr AS \"journalSequenceNr\", created_at AS \"createdAt\" "
            + "FROM read_model_dead_letters WHERE user_id = ? ORDER BY created_at, projection, seq_nr");
    EXPORT.put(
        "rankings",
        "SELECT ranking_id AS \"rankingId\", created_at AS \"createdAt\", variant, served, "
            + "(SELECT COALESCE(json_agg(json_build_object('item', c.item, 'position', c.position, "
            + "'score', c.score, 'reason', c.reason) ORDER BY c.k), '[]') "
            + "FROM unnest(item_ids, positions, scores, reasons) WITH ORDINALITY AS c(item, position, score, reason, k)) "
            + "AS candidates FROM ranking_events WHERE user_id = ? ORDER BY created_at, ranking_id");
    // a link's token is a secret that only its holder has; its hash is of no use to the user
    EXPORT.put(
        "favoriteShares",
        "SELECT created_at AS \"createdAt\" FROM favorite_shares WHERE user_id = ? ORDER BY created_at");
  }

  private final DataSource dataSource;
  private final Duration tombstoneTtl;

  public JdbcUserData(DataSource dataSource, Duration tombstoneTtl) {
    this.dataSource = dataSource;
    this.tombstoneTtl = tombstoneTtl;
  }

  /**
   * The user's rows by section ({@code impressions}, {@code events}, {@code activity}, {@code
   * featureSnapshots}, {@code deadLetters}, {@code rankings}, {@code favoriteShares}), each a JSON
   * array of objects with timestamps in UTC, all read from one snapshot of the database.
   */
  public Map<String, String> export(String userId) {
    Map<String, String> sections = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        try (Statement s = c.createStatement()) {
          s.execute("SET LOCAL TIME ZONE 'UTC'");
        }
        for (Map.Entry<String, String> section : EXPORT.entrySet()) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COALESCE(json_agg(t), '[]')::text FROM (" + section.getValue() + ") t")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              sections.put(section.getKey(), rs.getString(1));
            }
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setReadOnly(false);
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("Could not read the data of a user", e);
    }
    return sections;
  }

  /**
   * Erases the user: the journal events up to {@code upToSequenceNr} (the entity's "forgotten"
   * event, so that whatever the user sends afterwards, as a new user, stays) with their tags, the
   * snapshots up to it, and every row of the read models (their dead letters too), rankings and
   * share links; then leaves a tombstone so that writes still in flight cannot bring any of it back
   * (see {@link ErasedUsers}). Answers the rows deleted per table.
   */
  public Map<String, Integer> erase(String userId, long upToSequenceNr) {
    String persistenceId = PersistenceId.of(UserEntity.TYPE_KEY.name(), userId).id();
    Map<String, Integer> removed = new LinkedHashMap<>();
    Transactions.inTransaction(
        dataSource,
        "Could not erase a user",
        c -> {
          ErasedUsers.lockForErasure(c);
          long lastOrdering;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COALESCE(max(ordering), 0) FROM event_journal WHERE persistence_id = ? AND sequence_number <= ?")) {
            ps.setString(1, persistenceId);
            ps.setLong(2, upToSequenceNr);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              lastOrdering = rs.getLong(1);
            }
          }
          // the tags would go with their events (ON DELETE CASCADE); deleted first to be counted
          removed.put(
              "event_tag",
              delete(
                  c,
                  "DELETE FROM event_tag WHERE event_id IN "
                      + "(SELECT ordering FROM event_journal WHERE persistence_id = ? AND sequence_number <= ?)",
                  persistenceId,
                  upToSequenceNr));
          removed.put(
              "event_journal",
              delete(
                  c,
                  "DELETE FROM event_journal WHERE persistence_id = ? AND sequence_number <= ?",
                  persistenceId,
                  upToSequenceNr));
          removed.put(
              "snapshot",
              delete(
                  c,
                  "DELETE FROM snapshot WHERE persistence_id = ? AND sequence_number <= ?",
                  persistenceId,
                  upToSequenceNr));
          for (String table :
              new String[] {
                "user_impressions",
                "events",
                "user_activity",
                "user_features",
                "read_model_dead_letters",
                "ranking_events",
                "favorite_shares"
              }) {
            removed.put(table, delete(c, "DELETE FROM " + table + " WHERE user_id = ?", userId));
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO erased_users (user_sha256, erased_at, journal_ordering, expires_at) "
                      + "VALUES (?, clock_timestamp(), ?, clock_timestamp() + ? * interval '1 millisecond') "
                      + "ON CONFLICT (user_sha256) DO UPDATE SET erased_at = EXCLUDED.erased_at, "
                      + "journal_ordering = GREATEST(erased_users.journal_ordering, EXCLUDED.journal_ordering), "
                      + "expires_at = EXCLUDED.expires_at")) {
            ps.setString(1, ErasedUsers.hash(userId));
            ps.setLong(2, lastOrdering);
            ps.setLong(3, tombstoneTtl.toMillis());
            ps.executeUpdate();
          }
          try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM erased_users WHERE expires_at <= now()");
          }
          return null;
        });
    return removed;
  }

  private static int delete(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) ps.setObject(i + 1, parameters[i]);
      return ps.executeUpdate();
    }
  }
}
