package dev.freshet.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The job around a training run (the run itself: {@link TrainingRunTest}): on demand, one at a
 * time, on a schedule, and what the last run did, failures included.
 */
class TrainingJobTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static TrainingJob.Status status(ActorRef<TrainingJob.Command> job) {
    TestProbe<TrainingJob.Status> probe = testKit.createTestProbe();
    job.tell(new TrainingJob.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  @Test
  void oneRunAtATimeOnDemandAndItsOutcomeReported() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    TrainingJob.Settings onDemand =
        new TrainingJob.Settings(true, Duration.ofDays(1), Duration.ofDays(1), Duration.ofDays(30));
    ActorRef<TrainingJob.Command> job =
        testKit.spawn(
            TrainingJob.create(
                onDemand,
                now -> {
                  runs.incrementAndGet();
                  try {
                    release.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return new TrainingRun.Result(
                      now, 2_400, Optional.of(3L), true, "better", Duration.ofMillis(5), 0.3, 0.1);
                }));
    TestProbe<TrainingJob.Accepted> accepted = testKit.createTestProbe();
    job.tell(new TrainingJob.Train(accepted.ref()));
    assertThat(accepted.receiveMessage().started()).isTrue();
    job.tell(new TrainingJob.Train(accepted.ref()));
    TrainingJob.Accepted refused = accepted.receiveMessage();
    assertThat(refused.started()).isFalse();
    assertThat(refused.message()).contains("going already");
    assertThat(status(job).running()).isTrue();

    release.countDown();
    accepted.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          TrainingJob.Status s = status(job);
          assertThat(s.running()).isFalse();
          assertThat(s.runs()).isEqualTo(1);
          assertThat(s.lastVersion()).isEqualTo(3);
          assertThat(s.lastPromoted()).isTrue();
          assertThat(s.lastReason()).isEqualTo("better");
          assertThat(s.lastError()).isEmpty();
          return s;
        });
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aFailedRunIsReportedAndTheScheduleGoesOn() {
    AtomicInteger runs = new AtomicInteger();
    TrainingJob.Settings often =
        new TrainingJob.Settings(
            true, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofDays(30));
    java.util.List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
    ActorRef<TrainingJob.Command> job =
        testKit.spawn(
            TrainingJob.create(
                often,
                now -> {
                  runs.incrementAndGet();
                  throw new IllegalStateException("database down");
                },
                new TrainingJob.Observer() {
                  @Override
                  public void finished(TrainingRun.Result result, long millis) {
                    observed.add("finished");
                  }

                  @Override
                  public void failed(String error, long millis) {
                    observed.add("failed: " + error);
                  }
                }));
    TestProbe<TrainingJob.Status> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          TrainingJob.Status s = status(job);
          assertThat(s.runs()).isGreaterThanOrEqualTo(2);
          assertThat(s.lastError()).contains("database down");
          assertThat(s.lastVersion()).isZero();
          return s;
        });
    assertThat(observed).isNotEmpty().allMatch(o -> o.equals("failed: database down"));
  }

  @Test
  void disabledMeansNoScheduleButOnDemandStillWorks() {
    AtomicInteger runs = new AtomicInteger();
    TrainingJob.Settings off =
        new TrainingJob.Settings(
            false, Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofDays(30));
    ActorRef<TrainingJob.Command> job =
        testKit.spawn(
            TrainingJob.create(
                off,
                now -> {
                  runs.incrementAndGet();
                  return new TrainingRun.Result(
                      now,
                      0,
                      Optional.empty(),
                      false,
                      "nothing",
                      Duration.ZERO,
                      Double.NaN,
                      Double.NaN);
                }));
    assertThat(status(job).enabled()).isFalse();
    TestProbe<TrainingJob.Accepted> accepted = testKit.createTestProbe();
    accepted.expectNoMessage(Duration.ofMillis(300));
    assertThat(runs.get()).isZero();
    job.tell(new TrainingJob.Train(accepted.ref()));
    assertThat(accepted.receiveMessage().started()).isTrue();
    accepted.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(status(job).runs()).isEqualTo(1);
          return null;
        });
  }
}
