package dev.freshet.actors.pool;

import static dev.freshet.actors.pool.PoolTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.pool.PoolCoordinator.Command;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What journaling the bookkeeping costs at a realistic rate of signals and reports, counted on the
 * journal: 5,000 at-risk reports a second (ingest's 100,000 impressions/s in batches of 20, every
 * batch from a user at risk: the worst case) and 100 threshold crossings a second, for 5 s, with
 * the default tick and window (1 s) and a generator that answers at once. One journal write per
 * message would be 5,100 a second; buffered they are a few a second.
 */
class PoolCoordinatorJournalWritesTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFewJournalWritesASecondForThousandsOfSignalsAndReports() throws Exception {
    AtomicLong writes = new AtomicLong();
    AtomicLong events = new AtomicLong();
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.withPolicy(
        new ProcessingPolicy<JournalOperation>() {
          @Override
          public ProcessingResult tryProcess(String persistenceId, JournalOperation op) {
            if (op instanceof WriteEvents w && persistenceId.equals("pool-rate")) {
              writes.incrementAndGet();
              events.addAndGet(w.getBatch().size());
            }
            return ProcessingSuccess.getInstance();
          }
        });
    Catalog catalog = PoolTesting.catalog(20);
    PoolTesting.Generator generator = new PoolTesting.Generator();
    generator.answerAtOnce = true;
    PoolSettings settings =
        PoolTesting.settings(
            Map.of(
                "freshet.pool.window", "1s",
                "freshet.pool.persist-interval", "1s"));
    ActorRef<Command> coordinator =
        testKit.spawn(
            PoolCoordinator.create(
                PersistenceId.ofUniqueId("pool-rate"),
                settings,
                generator,
                catalog,
                new PoolMetrics()));

    int seconds = 5, reportsPerSecond = 5_000, signalsPerSecond = 100;
    long messages = 0;
    long start = System.nanoTime();
    for (int s = 0; s < seconds; s++) {
      // in 100 slices of 10 ms
      for (int slice = 0; slice < 100; slice++) {
        for (int i = 0; i < reportsPerSecond / 100; i++) {
          int user = (s * reportsPerSecond + slice * 50 + i) % 2_000;
          coordinator.tell(PoolTesting.risk("u-" + user, 1 + user % 4, 20));
          messages++;
        }
        if (slice % (100 / signalsPerSecond == 0 ? 1 : 100 / signalsPerSecond) == 0) {
          for (int i = 0; i < Math.max(1, signalsPerSecond / 100); i++) {
            coordinator.tell(
                new PoolCoordinator.Signal(
                    PoolTesting.signal(
                        "c-" + s + "-" + slice + "-" + i, 0.85, 10, "c" + slice % 4)));
            messages++;
          }
        }
        long due = start + (s * 100L + slice + 1) * 10_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    // everything sent is journaled by the next tick
    TestProbe<PoolStatus> probe = testKit.createTestProbe();
    await(
        "every signal journaled",
        Duration.ofSeconds(10),
        () -> {
          coordinator.tell(new PoolCoordinator.GetStatus(probe.ref()));
          return probe.receiveMessage().totals().signals() == (long) seconds * signalsPerSecond
              && writes.get() > 0;
        });
    System.out.printf(
        "pool coordinator journal: %,d signals and reports in %.1f s (%,.0f/s): %d journal writes"
            + " (%.1f/s) holding %d events, %d generation requests%n",
        messages,
        elapsed,
        messages / elapsed,
        writes.get(),
        writes.get() / elapsed,
        events.get(),
        generator.calls.size());
    assertThat(messages).isEqualTo((long) seconds * (reportsPerSecond + signalsPerSecond));
    // ticks, windows and results: a handful a second, never one per message
    assertThat(writes.get() / elapsed).isLessThan(10);
    assertThat(generator.calls).isNotEmpty();
  }
}
