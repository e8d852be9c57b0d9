package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.freshet.persistence.JdbcApiKeys;
import java.util.List;

/**
 * An API key as {@code /v1/admin/keys} shows it: never its secret, except as {@code key} in the
 * answer that created it. {@code revokedAt} is {@code null} while the key is active.
 */
public record KeyAnswer(
    String id,
    String name,
    List<String> scopes,
    String prefix,
    String createdAt,
    String revokedAt,
    boolean active,
    @JsonInclude(JsonInclude.Include.NON_NULL) String key) {

  /** {@code GET /v1/admin/keys}. */
  public record Listed(List<KeyAnswer> keys) {
    public static Listed of(List<JdbcApiKeys.StoredKey> keys) {
      return new Listed(keys.stream().map(KeyAnswer::of).toList());
    }
  }

  public static KeyAnswer of(JdbcApiKeys.StoredKey k) {
    return of(k, null);
  }

  /** The creation's answer: the only one with the secret. */
  public static KeyAnswer created(JdbcApiKeys.CreatedKey created) {
    return of(created.stored(), created.secret());
  }

  private static KeyAnswer of(JdbcApiKeys.StoredKey k, String secret) {
    return new KeyAnswer(
        k.id(),
        k.name(),
        k.scopes(),
        k.prefix(),
        k.createdAt().toString(),
        k.revokedAt() == null ? null : k.revokedAt().toString(),
        k.active(),
        secret);
  }
}
