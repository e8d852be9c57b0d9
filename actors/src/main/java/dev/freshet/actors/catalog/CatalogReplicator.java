package dev.freshet.actors.catalog;

import dev.freshet.actors.CborSerializable;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Keeps this node's {@link Catalog} in step with the other nodes: a change made anywhere is
 * announced on a cluster-wide topic and every node reloads just the changed rows from the store. A
 * periodic refresh covers announcements lost while a node was joining or the topic was re-forming,
 * so every node sees a change within one refresh interval even without the announcement.
 */
public final class CatalogReplicator {

  public sealed interface Command {}

  /** Announced on the topic after a node has durably changed the catalog. */
  public record Changed(long version) implements Command, CborSerializable {}

  /** Sent locally after this node changed the catalog, so that the others hear of it. */
  public record Announce(long version) implements Command {}

  /** Stops replicating, e.g. at shutdown before the database closes. */
  public enum Stop implements Command {
    INSTANCE
  }

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Refreshed implements Command {
    INSTANCE
  }

  public static final String TOPIC_NAME = "freshet-catalog-changes";

  private CatalogReplicator() {}

  public static Behavior<Command> create(Catalog catalog, Duration refreshInterval) {
    return Behaviors.setup(
        context -> {
          ActorRef<Topic.Command<Changed>> topic =
              context.spawn(Topic.create(Changed.class, TOPIC_NAME), "topic");
          topic.tell(Topic.subscribe(context.getSelf().narrow()));
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, refreshInterval);
                return new Replica(catalog, topic).idle();
              });
        });
  }

  /**
   * One refresh runs at a time. A change heard (or a tick) while it runs is not lost: the replica
   * refreshes once more when it ends, however many came meanwhile.
   */
  private record Replica(Catalog catalog, ActorRef<Topic.Command<Changed>> topic) {

    /** No refresh running. */
    Behavior<Command> idle() {
      return always()
          .onMessage(Changed.class, msg -> isNew(msg) ? startRefresh() : Behaviors.same())
          .onMessage(Tick.class, msg -> startRefresh())
          .build();
    }

    /** A refresh running, and nothing heard since it started. */
    Behavior<Command> refreshing() {
      return always()
          .onMessage(Changed.class, msg -> isNew(msg) ? refreshingThenAgain() : Behaviors.same())
          .onMessage(Tick.class, msg -> refreshingThenAgain())
          .onMessage(Refreshed.class, msg -> idle())
          .build();
    }

    /** A refresh running, and a change or tick heard since it started: refresh again after it. */
    Behavior<Command> refreshingThenAgain() {
      return always()
          .onMessage(Changed.class, msg -> Behaviors.same())
          .onMessage(Tick.class, msg -> Behaviors.same())
          .onMessage(Refreshed.class, msg -> startRefresh())
          .build();
    }

    /** What every state does: announce this node's changes, stop when told. */
    private BehaviorBuilder<Command> always() {
      return Behaviors.receive(Command.class)
          .onMessage(
              Announce.class,
              msg -> {
                topic.tell(Topic.publish(new Changed(msg.version())));
                return Behaviors.same();
              })
          .onMessage(Stop.class, msg -> Behaviors.stopped());
    }

    private boolean isNew(Changed change) {
      return change.version() > catalog.snapshot().version();
    }

    private Behavior<Command> startRefresh() {
      return Behaviors.setup(
          context -> {
            context.pipeToSelf(
                catalog.refreshAsync(),
                (snapshot, failure) -> {
                  if (failure != null) {
                    context
                        .getLog()
                        .warn("Catalog refresh failed; retrying on the next tick", failure);
                  }
                  return Refreshed.INSTANCE;
                });
            return refreshing();
          });
    }
  }
}
