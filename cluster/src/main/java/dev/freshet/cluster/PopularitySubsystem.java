package dev.freshet.cluster;

import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.popularity.PopularityTracker;
import dev.freshet.streams.PopularityFeed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * The popularity board every node ranks with: this node's durable interactions, summed per window
 * by the feed and shared on a pub-sub topic, decayed into the board by the tracker.
 */
record PopularitySubsystem(Popularity popularity, PopularityFeed feed) {

  static PopularitySubsystem init(ActorSystem<?> system, PopularitySettings settings) {
    Popularity popularity = new Popularity(settings.halfLife().toMillis());
    ActorRef<PopularityTracker.Command> tracker =
        system.systemActorOf(
            PopularityTracker.create(popularity), "popularity-tracker", Props.empty());
    return new PopularitySubsystem(
        popularity,
        PopularityFeed.start(
            system, tracker, settings.window(), settings.buffer(), settings.halfLife().toMillis()));
  }
}
