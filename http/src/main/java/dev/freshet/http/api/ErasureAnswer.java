package dev.freshet.http.api;

import java.util.Map;

/**
 * {@code DELETE /v1/users/{id}} (SPEC C10, erasure): how many rows went from each table, by table.
 */
public record ErasureAnswer(String userId, boolean deleted, Map<String, Integer> removed) {

  public static ErasureAnswer of(String userId, Map<String, Integer> removed) {
    return new ErasureAnswer(userId, true, removed);
  }
}
