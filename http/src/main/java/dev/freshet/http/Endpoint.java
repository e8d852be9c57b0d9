package dev.freshet.http;

import java.util.List;

/**
 * One public route: its method, its path template ({@code /v1/users/{userId}/state}), the scope a key
 * needs for it (none for public routes) and a one-line summary for the OpenAPI document.
 */
public record Endpoint(String method, String template, Scope scope, String summary) {

  /** No key needed (health, the OpenAPI document, shared links). */
  public boolean isPublic() {
    return scope == null;
  }

  /** The template's segments, e.g. {@code [v1, users, {userId}, state]}. */
  List<String> segments() {
    return List.of(template.substring(1).split("/"));
  }

  /** Literal segments count: a literal match ({@code /v1/items/popular}) wins over a parameter ({@code {itemId}}). */
  int literalSegments() {
    return (int) segments().stream().filter(s -> !s.startsWith("{")).count();
  }

  /** Whether {@code pathSegments} fits this template, parameters matching any one non-empty segment. */
  boolean matches(List<String> pathSegments) {
    List<String> own = segments();
    if (own.size() != pathSegments.size()) return false;
    for (int i = 0; i < own.size(); i++) {
      String s = own.get(i);
      if (s.startsWith("{")) {
        if (pathSegments.get(i).isEmpty()) return false;
      } else if (!s.equals(pathSegments.get(i))) {
        return false;
      }
    }
    return true;
  }
}
