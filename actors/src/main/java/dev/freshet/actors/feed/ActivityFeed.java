package dev.freshet.actors.feed;

import dev.freshet.actors.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * What happens, as it happens, for whoever watches (the admin dashboard's live feed): impressions,
 * interactions and rankings, published on one cluster-wide topic by the node that wrote them. Only
 * while someone watches, somewhere: every half second the node asks its topic whether it has local
 * subscribers or knows other nodes' ones, so that an unwatched cluster builds no message at all and
 * ingest pays nothing for the feed. One request is one message, however many items it names (at
 * most a batch's 1,000): watchers filter and cut what they show.
 */
public final class ActivityFeed implements Extension {

  static final String TOPIC = "freshet-activity-feed";
  static final Duration POLL = Duration.ofMillis(500);

  /** What happened in one request: one message on the topic, however many items it names. */
  public sealed interface Entry extends CborSerializable {
    long atMillis();
  }

  /** A batch of one user's impressions, as recorded (first-time ones and repeats). */
  public record Impressions(
      long atMillis,
      String userId,
      List<String> itemIds,
      String surface,
      String rankingId,
      int recorded,
      int duplicates)
      implements Entry {}

  /** A batch of interactions (clicks, likes, …), of one user or many. */
  public record Interactions(long atMillis, List<Interaction> interactions) implements Entry {}

  /** One interaction of a batch. */
  public record Interaction(
      String userId,
      String itemId,
      String kind,
      long atMillis,
      String rankingId,
      Integer position,
      String intent,
      Long value)
      implements CborSerializable {}

  /** A ranking served to a user, its items in order. */
  public record Ranking(
      long atMillis, String userId, String rankingId, String variant, List<String> itemIds)
      implements Entry {}

  public static final ExtensionId<ActivityFeed> ID =
      new ExtensionId<>() {
        @Override
        public ActivityFeed createExtension(ActorSystem<?> system) {
          return new ActivityFeed(system);
        }
      };

  public static ActivityFeed get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final ActorRef<Topic.Command<Entry>> topic;
  private final AtomicBoolean watched = new AtomicBoolean();

  private ActivityFeed(ActorSystem<?> system) {
    this.topic =
        system.systemActorOf(Topic.create(Entry.class, TOPIC), "activity-feed", Props.empty());
    system
        .scheduler()
        .scheduleWithFixedDelay(
            POLL,
            POLL,
            () ->
                AskPattern.<Topic.Command<Entry>, Topic.TopicStats>ask(
                        topic, Topic::getTopicStats, POLL, system.scheduler())
                    .thenAccept(
                        stats ->
                            watched.set(
                                stats.localSubscriberCount() > 0
                                    || stats.topicInstanceCount() > 0)),
            system.executionContext());
  }

  /** Whether anyone watches: publishers build entries only then. */
  public boolean watched() {
    return watched.get();
  }

  /** Sends {@code entry} to every watcher in the cluster (nothing happens if nobody watches). */
  public void publish(Entry entry) {
    if (watched.get()) topic.tell(Topic.publish(entry));
  }

  /** Starts sending the entries to {@code watcher}, until it stops or {@link #unwatch}. */
  public void watch(ActorRef<Entry> watcher) {
    topic.tell(Topic.subscribe(watcher));
    watched.set(true); // at once: the next poll would otherwise lose what happens until then
  }

  public void unwatch(ActorRef<Entry> watcher) {
    topic.tell(Topic.unsubscribe(watcher));
  }
}
