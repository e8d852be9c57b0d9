package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What keeps an erased user erased: the tombstones of {@code erased_users} and one PostgreSQL
 * advisory lock. Every transaction that writes rows carrying a user id takes the lock shared,
 * first; an erasure takes it exclusively. So an erasure waits for the writes in flight (and deletes
 * what they wrote), and a write that starts later sees its tombstone and drops the rows of the
 * erased user. The lock is held for an erasure's few deletes only, and writers never wait for each
 * other.
 */
public final class ErasedUsers {

  /**
   * One erased user: when (database clock), and up to which journal ordering its events were
   * deleted.
   */
  public record Tombstone(Instant erasedAt, long journalOrdering) {}

  // "ERASED"; the partition DDL lock of ReadModelPartitions is another key
  private static final long LOCK = 0x45_52_41_53_45_44L;

  private ErasedUsers() {}

  /**
   * The first statement of a writer's transaction: waits while an erasure runs; held until commit.
   */
  public static void lockForWrite(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock_shared(" + LOCK + ")");
    }
  }

  /**
   * The first statement of an erasure's transaction: waits for every writer in flight; held until
   * commit.
   */
  static void lockForErasure(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
    }
  }

  /**
   * What every writer of user rows does first: takes the writers' lock, then answers the unexpired
   * tombstones among {@code userIds}, by user id.
   */
  public static Map<String, Tombstone> lockAndFind(Connection c, Collection<String> userIds)
      throws SQLException {
    lockForWrite(c);
    return find(c, userIds);
  }

  /** The unexpired tombstones among {@code userIds}, by user id. */
  static Map<String, Tombstone> find(Connection c, Collection<String> userIds) throws SQLException {
    Map<String, Tombstone> found = new HashMap<>();
    if (userIds.isEmpty()) return found;
    Map<String, String> byHash = new HashMap<>();
    for (String user : userIds) byHash.put(hash(user), user);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT user_sha256, erased_at, journal_ordering FROM erased_users "
                + "WHERE user_sha256 = ANY(?) AND expires_at > now()")) {
      ps.setArray(1, c.createArrayOf("text", byHash.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.put(
              byHash.get(rs.getString(1)),
              new Tombstone(rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getLong(3)));
        }
      }
    }
    return found;
  }

  /** Deletes the expired tombstones; answers how many. */
  public static int purgeExpired(DataSource dataSource) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      return s.executeUpdate("DELETE FROM erased_users WHERE expires_at <= now()");
    } catch (SQLException e) {
      throw new StoreException("Purging expired erasure tombstones failed", e);
    }
  }

  static String hash(String userId) {
    return Hashes.sha256(userId);
  }
}
