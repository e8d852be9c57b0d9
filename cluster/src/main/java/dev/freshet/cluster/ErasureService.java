package dev.freshet.cluster;

import dev.freshet.actors.user.Erasure;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.streams.UserData;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * This node's erasure service ({@link Erasure}), registered with the receptionist so that members
 * without a database (the cluster client's proxies) can erase users: the same two steps as {@code
 * DELETE /v1/users/{id}}, the entity's {@link UserEntity.Forget} and then {@link UserData#erase} up
 * to its sequence number. A failure in between leaves the entity empty and the rows in place; the
 * request can be repeated.
 */
final class ErasureService {

  private ErasureService() {}

  static void start(ActorSystem<?> system, UserData data, Duration askTimeout) {
    ActorRef<Erasure.Erase> service =
        system.systemActorOf(behavior(system, data, askTimeout), "freshet-erasure", props());
    system.receptionist().tell(Receptionist.register(Erasure.KEY, service));
  }

  private static org.apache.pekko.actor.typed.Props props() {
    return org.apache.pekko.actor.typed.Props.empty();
  }

  private static Behavior<Erasure.Erase> behavior(
      ActorSystem<?> system, UserData data, Duration askTimeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return Behaviors.receiveMessage(
        erase -> {
          long now = System.currentTimeMillis();
          sharding
              .entityRefFor(UserEntity.TYPE_KEY, erase.userId())
              .<UserEntity.Forgotten>askWithStatus(
                  replyTo -> new UserEntity.Forget(now, replyTo), askTimeout)
              .thenCompose(forgotten -> data.erase(erase.userId(), forgotten.sequenceNr()))
              .whenComplete(
                  (removed, failure) ->
                      erase
                          .replyTo()
                          .tell(
                              failure == null
                                  ? StatusReply.success(new Erasure.Erased(erase.userId(), removed))
                                  : StatusReply.error(
                                      "erasing " + erase.userId() + " failed: " + failure)));
          return Behaviors.same();
        });
  }
}
