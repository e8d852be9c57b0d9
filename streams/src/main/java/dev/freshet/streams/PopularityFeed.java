package dev.freshet.streams;

import dev.freshet.actors.features.Decay;
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

  /** One interaction's weight for an item (dense id) of a category, at its event time. */
  public record Signal(int itemId, String category, double weight, long at) {}

  private final BoundedSourceQueue<Signal> queue;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder recorded = new LongAdder();

  private PopularityFeed(BoundedSourceQueue<Signal> queue) {
    this.queue = queue;
  }

  public static PopularityFeed start(
      ActorSystem<?> system,
      ActorRef<PopularityTracker.Command> tracker,
      Duration window,
      int bufferSize,
      long halfLifeMillis) {
    BoundedSourceQueue<Signal> queue =
        Source.<Signal>queue(bufferSize)
            .groupedWithin(bufferSize, window)
            .map(signals -> sum(signals, halfLifeMillis))
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

  /**
   * Records a positive signal that happened at {@code at} (event time, epoch ms); weights ≤ 0 say
   * nothing about popularity and are ignored.
   */
  public void record(int itemId, String category, double weight, long at) {
    if (weight <= 0) return;
    if (queue.offer(new Signal(itemId, category, weight, at)) != QueueOfferResult.enqueued())
      dropped.increment();
    else recorded.increment();
  }

  /** Signals taken into a window (so on their way to every node's board). */
  public long recorded() {
    return recorded.sum();
  }

  /** Signals dropped because the buffer was full or the feed had stopped. */
  public long dropped() {
    return dropped.sum();
  }

  /**
   * One window's deltas, as of its latest event: each signal decayed from its own event time to
   * that one, so that an event of last week counts as last week's whenever it arrives (a late event
   * or a historical import), and popularity follows event time, not the moment the node received
   * the event.
   */
  static PopularityDeltas sum(List<Signal> window, long halfLifeMillis) {
    long at = Long.MIN_VALUE;
    for (Signal s : window) at = Math.max(at, s.at());
    Map<Integer, Double> items = new HashMap<>();
    Map<String, Double> categories = new HashMap<>();
    for (Signal s : window) {
      double weight = s.weight() * Decay.factor(s.at(), at, halfLifeMillis);
      items.merge(s.itemId(), weight, Double::sum);
      if (s.category() != null) categories.merge(s.category(), weight, Double::sum);
    }
    return new PopularityDeltas(items, categories, window.isEmpty() ? 0L : at, window.size());
  }
}
