package dev.freshet.persistence;

import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code api_keys}. A key is {@code fsk_} and 32 random bytes in base64url; only its SHA-256 is
 * stored. Revoking notifies {@link #CHANNEL} in the same transaction, so every node that caches
 * keys drops the key the moment the revocation commits.
 */
public final class JdbcApiKeys {

  /** The PostgreSQL NOTIFY channel carrying the id of a key that was revoked or replaced. */
  public static final String CHANNEL = "freshet_api_keys";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String COLUMNS = "id, name, scopes, prefix, created_at, revoked_at";

  /** A key as stored: never the key itself. */
  public record StoredKey(
      String id,
      String name,
      List<String> scopes,
      String prefix,
      Instant createdAt,
      Instant revokedAt) {
    public boolean active() {
      return revokedAt == null;
    }
  }

  /** A key just created: the only moment its secret exists outside the client. */
  public record CreatedKey(StoredKey stored, String secret) {}

  private final DataSource dataSource;

  public JdbcApiKeys(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public CreatedKey create(String name, List<String> scopes) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String key = "fsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] id = new byte[6];
    RANDOM.nextBytes(id);
    String keyId = "key_" + HexFormat.of().formatHex(id);
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO api_keys (id, name, scopes, key_sha256, prefix) VALUES (?, ?, ?, ?, ?) RETURNING "
                    + COLUMNS)) {
      bind(c, insert, keyId, name, scopes, key);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return new CreatedKey(row(rs), key);
      }
    } catch (SQLException e) {
      throw new StoreException("Creating an API key failed", e);
    }
  }

  /**
   * Stores {@code key} under the fixed id {@code id} (the key given by {@code FRESHET_ADMIN_KEY}):
   * a changed key replaces the old one, which stops working on every node.
   */
  public StoredKey seed(String id, String name, List<String> scopes, String key) {
    return Transactions.inTransaction(
        dataSource,
        "Seeding an API key failed",
        c -> {
          StoredKey stored;
          try (PreparedStatement upsert =
              c.prepareStatement(
                  "INSERT INTO api_keys (id, name, scopes, key_sha256, prefix) VALUES (?, ?, ?, ?, ?) "
                      + "ON CONFLICT (id) DO UPDATE SET name = excluded.name, scopes = excluded.scopes, "
                      + "key_sha256 = excluded.key_sha256, prefix = excluded.prefix, revoked_at = NULL "
                      + "RETURNING "
                      + COLUMNS)) {
            bind(c, upsert, id, name, scopes, key);
            try (ResultSet rs = upsert.executeQuery()) {
              rs.next();
              stored = row(rs);
            }
          }
          notify(c, id); // a replaced key must stop working on every node
          return stored;
        });
  }

  /** The active key whose secret has the SHA-256 {@code keySha256} (hex), if there is one. */
  public Optional<StoredKey> findActiveByHash(String keySha256) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM api_keys WHERE key_sha256 = ? AND revoked_at IS NULL")) {
      select.setString(1, keySha256);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("Looking up an API key failed", e);
    }
  }

  public List<StoredKey> list() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id");
        ResultSet rs = select.executeQuery()) {
      List<StoredKey> keys = new ArrayList<>();
      while (rs.next()) keys.add(row(rs));
      return keys;
    } catch (SQLException e) {
      throw new StoreException("Listing API keys failed", e);
    }
  }

  /** Revokes key {@code id}; empty if there is no such key. Revoking twice keeps the first time. */
  public Optional<StoredKey> revoke(String id) {
    return Transactions.inTransaction(
        dataSource,
        "Revoking an API key failed",
        c -> {
          Optional<StoredKey> revoked;
          try (PreparedStatement update =
              c.prepareStatement(
                  "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ? RETURNING "
                      + COLUMNS)) {
            update.setString(1, id);
            try (ResultSet rs = update.executeQuery()) {
              revoked = rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
          }
          if (revoked.isPresent()) notify(c, id); // delivered when the transaction commits
          return revoked;
        });
  }

  private static void notify(Connection c, String id) throws SQLException {
    try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, CHANNEL);
      notify.setString(2, id);
      notify.executeQuery().close();
    }
  }

  /** The five values of {@code (id, name, scopes, key_sha256, prefix)}: never the key itself. */
  private static void bind(
      Connection c, PreparedStatement ps, String id, String name, List<String> scopes, String key)
      throws SQLException {
    ps.setString(1, id);
    ps.setString(2, name);
    ps.setArray(3, c.createArrayOf("text", scopes.toArray()));
    ps.setString(4, Hashes.sha256(key));
    ps.setString(5, prefix(key));
  }

  private static String prefix(String key) {
    return key.substring(0, Math.min(8, key.length()));
  }

  private static StoredKey row(ResultSet rs) throws SQLException {
    Array scopes = rs.getArray("scopes");
    Timestamp revoked = rs.getTimestamp("revoked_at");
    return new StoredKey(
        rs.getString("id"),
        rs.getString("name"),
        List.of((String[]) scopes.getArray()),
        rs.getString("prefix"),
        rs.getTimestamp("created_at").toInstant(),
        revoked == null ? null : revoked.toInstant());
  }
}
