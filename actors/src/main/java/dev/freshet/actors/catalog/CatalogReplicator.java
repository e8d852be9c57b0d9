package dev.freshet.actors.catalog;

import dev.freshet.actors.CborSerializable;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Keeps this node's {@link Catalog} in step with the other nodes: a change made anywhere is announced
 * on a cluster-wide topic and every node reloads just the changed rows from the store. A periodic
 * refresh covers announcements lost while a node was joining or the topic was re-forming, so every
 * node sees a change within one refresh interval even without the announcement.
 */
public final class CatalogReplicator {

  public sealed interface Command {}

  /** Announced on the topic after a node has durably changed the catalog. */
  public record Changed(long version) implements Command, CborSerializable {}

  /** Sent locally after this node changed the catalog, so that the others hear of it. */
  public record Announce(long version) implements Command {}

  /** Stops replicating, e.g. at shutdown before the database closes. */
  public enum Stop implements Command { INSTANCE }

  private enum Tick implements Command { INSTANCE }

  private enum Refreshed implements Command { INSTANCE }

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
                return idle(catalog, topic, false, false);
              });
        });
  }

  /**
   * @param refreshing a refresh is running
   * @param again another change was heard while refreshing, so refresh once more afterwards
   */
  private static Behavior<Command> idle(
      Catalog catalog, ActorRef<Topic.Command<Changed>> topic, boolean refreshing, boolean again) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Announce.class,
            msg -> {
              topic.tell(Topic.publish(new Changed(msg.version())));
              return Behaviors.same();
            })
        .onMessage(
            Changed.class,
            msg -> {
              if (msg.version() <= catalog.snapshot().version()) return Behaviors.same();
              return refresh(catalog, topic, refreshing);
            })
        .onMessage(Tick.class, msg -> refresh(catalog, topic, refreshing))
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onMessage(
            Refreshed.class,
            msg -> {
              if (again) return startRefresh(catalog, topic);
              return idle(catalog, topic, false, false);
            })
        .build();
  }

  private static Behavior<Command> refresh(
      Catalog catalog, ActorRef<Topic.Command<Changed>> topic, boolean refreshing) {
    if (refreshing) return idle(catalog, topic, true, true);
    return startRefresh(catalog, topic);
  }

  private static Behavior<Command> startRefresh(
      Catalog catalog, ActorRef<Topic.Command<Changed>> topic) {
    return Behaviors.setup(
        context -> {
          context.pipeToSelf(
              catalog.refreshAsync(),
              (snapshot, failure) -> {
                if (failure != null) {
                  context.getLog().warn("Catalog refresh failed; retrying on the next tick", failure);
                }
                return Refreshed.INSTANCE;
              });
          return idle(catalog, topic, true, false);
        });
  }
}
