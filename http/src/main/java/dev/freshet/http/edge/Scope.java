package dev.freshet.http.edge;

import dev.freshet.http.api.ApiException;
import java.util.Locale;

/**
 * What an API key may do. {@code ingest} only sends impressions and events (safe to ship in a
 * browser); {@code rank} reads rankings, user state and the catalog and manages a user's library
 * and consent; {@code admin} may do everything on the public API; {@code internal} reaches the
 * internal API (its own listener, {@code freshet.http.internal}) and nothing else, and no other
 * scope, admin included, reaches the internal API.
 */
public enum Scope {
  INGEST,
  RANK,
  ADMIN,
  INTERNAL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope named {@code name} ({@code ingest}, {@code rank}, {@code admin}, {@code internal}),
   * or a 400 naming {@code field}.
   */
  public static Scope parse(String name, String field) {
    for (Scope s : values()) if (s.wireName().equals(name)) return s;
    throw ApiException.invalid(
        field, field + " must be one of ingest, rank, admin, internal, not '" + name + "'");
  }
}
