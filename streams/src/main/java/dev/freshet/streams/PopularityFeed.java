package dev.freshet.streams;

import dev.freshet.actors.popularity.PopularityDeltas;
import dev.freshet.actors.popularity.PopularityTracker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The stream of this node's durable interactions into cluster-wide popularity: signals are
 * collected for one window ({@code groupedWithin}), summed per item and category, and handed to the
 * {@link PopularityTracker} to publish. Recording never blocks a request: when the buffer is full
 * the signal is dropped and counted, since popularity is an estimate and ingest must not wait for
 * it.
 */
public final class PopularityFeed {

  /** One interaction's weight for an item (dense id) of a category. */
  public record Signal(int itemId, String category, double weight) {}

  private final BoundedSourceQueue<Signal> queue;
  private final LongAdder dropped = new LongAdder();

  private PopularityFeed(BoundedSourceQueue<Signal> queue) {
    this.queue = queue;
  }

  public static PopularityFeed start(
      ActorSystem<?> system,
      ActorRef<PopularityTracker.Command> tracker,
      Duration window,
      int bufferSize) {
    BoundedSourceQueue<Signal> queue =
        Source.<Signal>queue(bufferSize)
            .groupedWithin(bufferSize, window)
            .map(PopularityFeed::sum)
            .to(Sink.foreach(deltas -> tracker.tell(new PopularityTracker.Publish(deltas))))
            .run(system);
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceRequestsDone(),
            "complete-popularity-feed",
            () -> {
              queue.complete();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
    return new PopularityFeed(queue);
  }

  /** Records a positive signal; weights ≤ 0 say nothing about popularity and are ignored. */
  public void record(int itemId, String category, double weight) {
    if (weight <= 0) return;
    if (queue.offer(new Signal(itemId, category, weight)) != QueueOfferResult.enqueued())
      dropped.increment();
  }

  /** Signals dropped because the buffer was full or the feed had stopped. */
  public long dropped() {
    return dropped.sum();
  }

  static PopularityDeltas sum(List<Signal> window) {
    Map<Integer, Double> items = new HashMap<>();
    Map<String, Double> categories = new HashMap<>();
    for (Signal s : window) {
      items.merge(s.itemId(), s.weight(), Double::sum);
      if (s.category() != null) categories.merge(s.category(), s.weight(), Double::sum);
    }
    return new PopularityDeltas(items, categories, System.currentTimeMillis());
  }
}
