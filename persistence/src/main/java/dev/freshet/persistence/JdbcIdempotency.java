package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * {@code idempotency_keys}: claims a key before its batch is applied, stores the answer after, and
 * hands the stored answer to every repeat. A claim whose batch never finished (the node died) can
 * be taken over once it is older than the caller's takeover age.
 */
public final class JdbcIdempotency {

  /** What a claim found. */
  public sealed interface Claim {}

  /** The key is ours now: apply the batch, then {@link #complete} or {@link #release}. */
  public record Claimed() implements Claim {}

  /** The batch was applied before: answer with this. */
  public record Replay(int status, String response) implements Claim {}

  /** The same key is being applied right now by another request. */
  public record InFlight() implements Claim {}

  /** The key was used before for a different request. */
  public record Mismatch(String route) implements Claim {}

  /**
   * Whose rows the keys of imports are ({@link #importOwner}): their owner names the request's
   * hash, never a client, and they are kept for the import's own time to live.
   */
  private static final String IMPORT_OWNER = "import:";

  private final DataSource dataSource;

  /**
   * The owner of a content-addressed key: every client sending the same request under the same key
   * shares it, and a different request can never take it.
   */
  public static String importOwner(String requestSha256) {
    return IMPORT_OWNER + requestSha256;
  }

  public JdbcIdempotency(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Claim claim(
      String owner, String key, String route, String requestSha256, Duration takeoverAfter) {
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO idempotency_keys (owner, key, route, request_sha256) VALUES (?, ?, ?, ?) "
                  + "ON CONFLICT (owner, key) DO NOTHING")) {
        insert.setString(1, owner);
        insert.setString(2, key);
        insert.setString(3, route);
        insert.setString(4, requestSha256);
        if (insert.executeUpdate() == 1) return new Claimed();
      }
      try (PreparedStatement select =
          c.prepareStatement(
              "SELECT route, request_sha256, status, response, created_at FROM idempotency_keys WHERE owner = ? AND key = ?")) {
        select.setString(1, owner);
        select.setString(2, key);
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next())
            return claim(owner, key, route, requestSha256, takeoverAfter); // purged meanwhile
          if (!rs.getString("route").equals(route)
              || !rs.getString("request_sha256").equals(requestSha256)) {
            return new Mismatch(rs.getString("route"));
          }
          int status = rs.getInt("status");
          if (!rs.wasNull()) return new Replay(status, rs.getString("response"));
          Instant created = rs.getTimestamp("created_at").toInstant();
          if (created.plus(takeoverAfter).isAfter(Instant.now())) return new InFlight();
        }
      }
      // an abandoned claim: take it over unless someone else just did
      try (PreparedStatement takeover =
          c.prepareStatement(
              "UPDATE idempotency_keys SET created_at = now() WHERE owner = ? AND key = ? AND status IS NULL AND created_at < ?")) {
        takeover.setString(1, owner);
        takeover.setString(2, key);
        takeover.setTimestamp(3, Timestamp.from(Instant.now().minus(takeoverAfter)));
        return takeover.executeUpdate() == 1 ? new Claimed() : new InFlight();
      }
    } catch (SQLException e) {
      throw new StoreException("Claiming an idempotency key failed", e);
    }
  }

  public void complete(String owner, String key, int status, String response) {
    update(
        "UPDATE idempotency_keys SET status = ?, response = ?, completed_at = now() WHERE owner = ? AND key = ?",
        ps -> {
          ps.setInt(1, status);
          ps.setString(2, response);
          ps.setString(3, owner);
          ps.setString(4, key);
        });
  }

  /**
   * Gives an unfinished claim back (the batch failed and changed nothing), so a retry may apply it.
   */
  public void release(String owner, String key) {
    update(
        "DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND status IS NULL",
        ps -> {
          ps.setString(1, owner);
          ps.setString(2, key);
        });
  }

  /**
   * Deletes answers older than {@code ttl}, and those of imports ({@link #importOwner}) older than
   * {@code importTtl}; returns how many.
   */
  public int purgeOlderThan(Duration ttl, Duration importTtl) {
    Instant now = Instant.now();
    try (Connection c = dataSource.getConnection();
        PreparedStatement delete =
            c.prepareStatement(
                "DELETE FROM idempotency_keys WHERE (created_at < ? AND owner NOT LIKE '"
                    + IMPORT_OWNER
                    + "%') OR (created_at < ? AND owner LIKE '"
                    + IMPORT_OWNER
                    + "%')")) {
      delete.setTimestamp(1, Timestamp.from(now.minus(ttl)));
      delete.setTimestamp(2, Timestamp.from(now.minus(importTtl)));
      return delete.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("Purging idempotency keys failed", e);
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private void update(String sql, Binder binder) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("Updating an idempotency key failed", e);
    }
  }
}
