package dev.freshet.persistence;

import dev.freshet.actors.user.FavoriteShares;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code favorite_shares}: a token is 32 random bytes (256 bits, base64url), and only its SHA-256
 * is stored, so a leaked table opens nothing. Revoked tokens are deleted.
 */
public final class JdbcFavoriteShares implements FavoriteShares {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataSource dataSource;

  public JdbcFavoriteShares(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public String create(String userId) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO favorite_shares (token_sha256, user_id) VALUES (?, ?)")) {
      insert.setString(1, Hashes.sha256(token));
      insert.setString(2, userId);
      insert.executeUpdate();
      return token;
    } catch (SQLException e) {
      throw new StoreException("Creating a favourites link failed", e);
    }
  }

  @Override
  public Optional<String> resolve(String token) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT user_id FROM favorite_shares WHERE token_sha256 = ?")) {
      select.setString(1, Hashes.sha256(token));
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("Resolving a favourites link failed", e);
    }
  }

  @Override
  public int revokeAll(String userId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement delete =
            c.prepareStatement("DELETE FROM favorite_shares WHERE user_id = ?")) {
      delete.setString(1, userId);
      return delete.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("Revoking favourites links failed", e);
    }
  }
}
