package dev.freshet.http.edge;

import dev.freshet.http.api.ApiException;
import java.util.Locale;

/**
 * What an API key may do. {@code ingest} only sends impressions and events (safe to ship in a
 * browser); {@code rank} reads rankings, user state and the catalog and manages a user's library
 * and consent; {@code admin} may do everything.
 */
public enum Scope {
  INGEST,
  RANK,
  ADMIN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope named {@code name} ({@code ingest}, {@code rank}, {@code admin}), or a 400 naming
   * {@code field}.
   */
  public static Scope parse(String name, String field) {
    for (Scope s : values()) if (s.wireName().equals(name)) return s;
    throw ApiException.invalid(
        field, field + " must be one of ingest, rank, admin, not '" + name + "'");
  }
}
