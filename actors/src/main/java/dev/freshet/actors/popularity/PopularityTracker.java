package dev.freshet.actors.popularity;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Shares popularity across the cluster: windows of this node's interactions are published on a
 * cluster-wide topic, and every node (this one included) adds every window to its own board, so all
 * boards converge on the same counts without a central store. A node that was down misses the
 * windows published meanwhile; popularity is a decayed estimate, and it catches up as new windows
 * arrive.
 */
public final class PopularityTracker {

  public sealed interface Command {}

  /** A window of this node's interactions, to be shared with every node. */
  public record Publish(PopularityDeltas deltas) implements Command {}

  private record Received(PopularityDeltas deltas) implements Command {}

  public static final String TOPIC_NAME = "freshet-popularity";

  private PopularityTracker() {}

  public static Behavior<Command> create(Popularity popularity) {
    return Behaviors.setup(
        context -> {
          ActorRef<Topic.Command<PopularityDeltas>> topic =
              context.spawn(Topic.create(PopularityDeltas.class, TOPIC_NAME), "topic");
          topic.tell(
              Topic.subscribe(context.messageAdapter(PopularityDeltas.class, Received::new)));
          return Behaviors.receive(Command.class)
              .onMessage(
                  Publish.class,
                  msg -> {
                    if (!msg.deltas().isEmpty()) topic.tell(Topic.publish(msg.deltas()));
                    return Behaviors.same();
                  })
              .onMessage(
                  Received.class,
                  msg -> {
                    popularity.apply(msg.deltas());
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
