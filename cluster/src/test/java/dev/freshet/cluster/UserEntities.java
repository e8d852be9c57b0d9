package dev.freshet.cluster;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.user.UserEntity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Journals events through the user entities themselves, past the HTTP edge and its validation: what
 * a client the edge once let through (or an older node) could have left in the journal.
 */
final class UserEntities {
  private UserEntities() {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The item's dense id, as the entities and the journal know it. */
  static int dense(FreshetNode node, String itemId) {
    return node.catalog().snapshot().byId(itemId).orElseThrow().denseId();
  }

  static UserEntity.EventsResult recordEvents(
      FreshetNode node, String userId, Interaction... interactions) {
    return ask(
        node, userId, replyTo -> new UserEntity.RecordEvents(List.of(interactions), replyTo));
  }

  static UserEntity.ImpressionsResult recordImpressions(
      FreshetNode node, String userId, long atMillis, int... denseIds) {
    return ask(
        node, userId, replyTo -> new UserEntity.RecordImpressions(denseIds, atMillis, replyTo));
  }

  private static <R> R ask(
      FreshetNode node,
      String userId,
      Function<ActorRef<StatusReply<R>>, UserEntity.Command> message) {
    EntityRef<UserEntity.Command> user =
        ClusterSharding.get(node.system()).entityRefFor(UserEntity.TYPE_KEY, userId);
    try {
      return user.<R>askWithStatus(message::apply, TIMEOUT)
          .toCompletableFuture()
          .get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("User entity " + userId + " did not answer", e);
    }
  }
}
