package dev.freshet.http.routes;

import dev.freshet.actors.user.UserEntity;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The user entities as the routes reach them: through Cluster Sharding, each ask bounded by the
 * edge's timeout.
 */
public final class Users {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public Users(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  /** The reply of user {@code userId}'s entity to {@code command}; a refusal fails the stage. */
  public <T> CompletionStage<T> ask(
      String userId, Function<ActorRef<StatusReply<T>>, UserEntity.Command> command) {
    return entity(userId).askWithStatus(command::apply, askTimeout);
  }

  public EntityRef<UserEntity.Command> entity(String userId) {
    return sharding.entityRefFor(UserEntity.TYPE_KEY, userId);
  }

  public Duration askTimeout() {
    return askTimeout;
  }
}
