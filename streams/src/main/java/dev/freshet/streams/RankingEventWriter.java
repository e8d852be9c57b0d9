package dev.freshet.streams;

import com.typesafe.config.Config;
import dev.freshet.actors.ranking.RankedItem;
import dev.freshet.actors.ranking.Ranking;
import dev.freshet.actors.ranking.RankingLog;
import dev.freshet.persistence.JdbcRankingEventStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write-behind of ranking events to PostgreSQL: rankings are queued without blocking the response,
 * batched ({@code groupedWithin}), written one batch at a time (one INSERT for the whole batch, the
 * candidates as array columns) with retries and backoff, and the queue is drained at shutdown
 * before the database closes. A full queue drops (and counts) events rather than slowing ranking
 * down.
 */
public final class RankingEventWriter implements RankingLog {

  private static final Logger log = LoggerFactory.getLogger(RankingEventWriter.class);

  private final BoundedSourceQueue<JdbcRankingEventStore.Row> queue;
  private final LongAdder dropped = new LongAdder();

  private RankingEventWriter(BoundedSourceQueue<JdbcRankingEventStore.Row> queue) {
    this.queue = queue;
  }

  /** {@code freshet.ranking-events}: how rankings are batched on their way to PostgreSQL. */
  public record Settings(int batchSize, Duration maxDelay, int bufferSize) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.ranking-events");
      return new Settings(c.getInt("batch-size"), c.getDuration("max-delay"), c.getInt("buffer"));
    }
  }

  public static RankingEventWriter start(
      ActorSystem<?> system, JdbcRankingEventStore store, Settings settings) {
    int batchSize = settings.batchSize();
    Duration maxDelay = settings.maxDelay();
    int bufferSize = settings.bufferSize();
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    var materialized =
        Source.<JdbcRankingEventStore.Row>queue(bufferSize)
            .groupedWithin(batchSize, maxDelay)
            .mapAsync(1, batch -> writeWithRetries(system, store, batch, blocking))
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    RankingEventWriter writer = new RankingEventWriter(materialized.first());
    CompletionStage<Done> drained = materialized.second();
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "drain-ranking-events",
            () -> {
              writer.queue.complete();
              return drained.exceptionally(e -> Done.getInstance());
            });
    return writer;
  }

  private static CompletionStage<Integer> writeWithRetries(
      ActorSystem<?> system,
      JdbcRankingEventStore store,
      List<JdbcRankingEventStore.Row> batch,
      Executor blocking) {
    return Patterns.retry(
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      store.insert(batch);
                      return batch.size();
                    },
                    blocking),
            5,
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            0.2,
            system.classicSystem())
        .exceptionally(
            e -> {
              log.error("Dropped {} ranking events after retries", batch.size(), e);
              return 0;
            });
  }

  @Override
  public void served(String userId, Ranking ranking) {
    offer(userId, ranking, true);
  }

  @Override
  public void shadow(String userId, Ranking ranking) {
    log.debug(
        "Shadow ranking {} for {} ({}): {}",
        ranking.rankingId(),
        userId,
        ranking.variant(),
        ranking.items().stream().map(RankedItem::id).toList());
    offer(userId, ranking, false);
  }

  private void offer(String userId, Ranking ranking, boolean served) {
    JdbcRankingEventStore.Row row =
        new JdbcRankingEventStore.Row(
            ranking.rankingId(),
            userId,
            ranking.variant(),
            served,
            candidates(ranking),
            System.currentTimeMillis());
    if (queue.offer(row) != QueueOfferResult.enqueued()) dropped.increment();
  }

  private static List<JdbcRankingEventStore.Candidate> candidates(Ranking ranking) {
    return ranking.items().stream()
        .map(
            item ->
                new JdbcRankingEventStore.Candidate(
                    item.id(), item.position(), item.score(), item.reason()))
        .toList();
  }

  public long dropped() {
    return dropped.sum();
  }
}
