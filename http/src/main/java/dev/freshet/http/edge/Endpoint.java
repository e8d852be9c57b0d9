package dev.freshet.http.edge;

import java.util.List;

/**
 * One public route: its method, its path template ({@code /v1/users/{userId}/state}), the scope a
 * key needs for it (none for public routes) and a one-line summary for the OpenAPI document.
 */
public record Endpoint(String method, String template, Scope scope, String summary) {

  /** No key needed (health, the OpenAPI document, shared links). */
  public boolean isPublic() {
    return scope == null;
  }

  /** The template's segments, e.g. {@code [v1, users, {userId}, state]}. */
  List<String> segments() {
    // -1: a template ending in "/" (the dashboard's /admin/) keeps its empty last segment, as
    // request paths do
    return List.of(template.substring(1).split("/", -1));
  }

  /**
   * Literal segments count: a literal match ({@code /v1/items/popular}) wins over a parameter
   * ({@code {itemId}}).
   */
  int literalSegments() {
    return (int) segments().stream().filter(s -> !s.startsWith("{")).count();
  }
}
