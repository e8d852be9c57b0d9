package dev.freshet.http.api;

import dev.freshet.actors.user.UserEntity;
import java.time.Instant;
import java.util.List;

/** {@code GET /v1/users/{id}/replay}: seen items served again, with their replay counts. */
public record ReplayAnswer(String userId, List<ReplayAnswer.Item> items) {

  public record Item(
      String id, int position, double score, int replayCount, String lastReplayedAt) {}

  public static ReplayAnswer of(String userId, UserEntity.ReplayResult result) {
    return new ReplayAnswer(
        userId,
        result.items().stream()
            .map(
                r ->
                    new Item(
                        r.item().id(),
                        r.item().position(),
                        r.item().score(),
                        r.replayCount(),
                        Instant.ofEpochMilli(r.lastReplayedAt()).toString()))
            .toList());
  }
}
