package dev.freshet.actors.pool;

import static dev.freshet.actors.pool.PoolTesting.await;
import static dev.freshet.actors.pool.PoolTesting.left;
import static dev.freshet.actors.pool.PoolTesting.risk;
import static dev.freshet.actors.pool.PoolTesting.signal;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.pool.PoolCoordinator.Command;
import dev.freshet.actors.pool.PoolCoordinator.Signal;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The singleton moves: one incarnation of the coordinator stops as Cluster Singleton stops it on
 * hand-over (its stop message) and a new one starts on the same journal with a generator of its
 * own, as on another node. Waiting demand, requests and users at risk are all there, and the
 * request that was in flight is asked for again exactly once and settled once.
 */
class PoolCoordinatorMoveTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private static final Duration WAIT = Duration.ofSeconds(5);

  // a snapshot every 3 events: the new incarnation recovers from a snapshot and events after it
  private final PoolSettings settings =
      PoolTesting.settings(Map.of("freshet.pool.snapshot-every", 3));
  private final Catalog catalog = PoolTesting.catalog(20);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<Command> incarnation(
      PersistenceId id, PoolTesting.Generator generator, PoolMetrics metrics) {
    return testKit.spawn(PoolCoordinator.create(id, settings, generator, catalog, metrics));
  }

  private static PoolStatus status(ActorRef<Command> coordinator) {
    TestProbe<PoolStatus> probe = testKit.createTestProbe();
    coordinator.tell(new PoolCoordinator.GetStatus(probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  @Test
  void aMovedCoordinatorHasItsBookkeepingAndSettlesTheRequestInFlightOnce() {
    PersistenceId id = PersistenceId.ofUniqueId("pool-move");
    PoolTesting.Generator firstGenerator = new PoolTesting.Generator();
    ActorRef<Command> first = incarnation(id, firstGenerator, new PoolMetrics());

    first.tell(new Signal(signal("u1", 0.85, 10, "news")));
    first.tell(new Signal(signal("u2", 0.90, 10, "news")));
    first.tell(new Signal(signal("u3", 0.85, 10, "sport")));
    first.tell(risk("u1", 3, 20));
    first.tell(risk("u2", 2, 20));
    first.tell(risk("u3", 4, 20));
    first.tell(left("u3"));
    first.tell(PoolCoordinator.Flush.INSTANCE);
    await("two requests asked", WAIT, () -> firstGenerator.calls.size() == 2);
    GenerationRequest news = firstGenerator.calls.get(0);
    assertThat(news.category()).isEqualTo("news");
    // sport fails: its demand waits for the retry (an hour away)
    firstGenerator.answer(2).completeExceptionally(new IllegalStateException("503 warming up"));
    await("sport failed", WAIT, () -> status(first).failed().size() == 1);
    // news is in flight: more demand for news waits
    first.tell(new Signal(signal("u4", 0.95, 50, "news")));
    first.tell(risk("u4", 1, 20));
    PoolStatus before = status(first);

    TestProbe<Void> watcher = testKit.createTestProbe();
    first.tell(PoolCoordinator.Stop.INSTANCE);
    watcher.expectTerminated(first, WAIT);

    // a new incarnation on the same journal, as on the node the singleton moved to
    PoolTesting.Generator secondGenerator = new PoolTesting.Generator();
    PoolMetrics metrics = new PoolMetrics();
    ActorRef<Command> second = incarnation(id, secondGenerator, metrics);
    PoolStatus after = status(second);

    assertThat(after.usersAtRisk()).isEqualTo(3);
    assertThat(after.atRisk())
        .extracting(PoolStatus.UserAtRisk::userId)
        .containsExactly("u4", "u2", "u1");
    assertThat(after.atRisk()).isEqualTo(before.atRisk());
    assertThat(after.waiting()).isEqualTo(before.waiting());
    assertThat(after.waiting())
        .extracting(
            PoolStatus.Demand::category, PoolStatus.Demand::attempt, PoolStatus.Demand::wanted)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("sport", 2, 10),
            org.assertj.core.groups.Tuple.tuple("news", 1, 50));
    assertThat(after.inFlight())
        .singleElement()
        .satisfies(r -> assertThat(r.request()).isEqualTo(news));
    assertThat(after.failed()).isEqualTo(before.failed());
    assertThat(after.totals()).isEqualTo(before.totals());
    assertThat(after.totals().signals()).isEqualTo(4);
    assertThat(after.totals().requests()).isEqualTo(2);
    // the node's metrics show the recovered bookkeeping
    assertThat(metrics.usersAtRisk()).isEqualTo(3);
    assertThat(metrics.demandWaiting()).isEqualTo(2);
    assertThat(metrics.requestsInFlight()).isEqualTo(1);
    assertThat(metrics.signals()).isEqualTo(4);
    assertThat(metrics.failed()).isEqualTo(1);

    // the request in flight is asked for again, under its id, once
    await("the request asked again", WAIT, () -> secondGenerator.calls.size() == 1);
    assertThat(secondGenerator.calls.get(0)).isEqualTo(news);
    // the first incarnation's generator answers late: nobody is there to settle it twice
    firstGenerator.answer(1).complete(PoolTesting.Generator.items(news));
    secondGenerator.answer(1).complete(PoolTesting.Generator.items(news));
    await("the request settled", WAIT, () -> status(second).completed().size() == 1);
    PoolStatus settled = status(second);
    assertThat(settled.completed().get(0).request().id()).isEqualTo(news.id());
    assertThat(settled.completed().get(0).itemIds()).hasSize(10);
    assertThat(settled.inFlight()).isEmpty();
    assertThat(settled.totals().completed()).isEqualTo(1);
    assertThat(settled.totals().itemsGenerated()).isEqualTo(10);
    // the demand for news wanted more than was made: it waits for its window
    assertThat(settled.waiting()).extracting(PoolStatus.Demand::category).contains("news");
    // the same ids twice are one set of items in the catalog
    assertThat(catalog.snapshot().size()).isEqualTo(30);
    assertThat(secondGenerator.callsFor(news.id())).isEqualTo(1);
    assertThat(firstGenerator.callsFor(news.id())).isEqualTo(1);
    // the users the new items gave enough to see are no longer at risk (u1: 3 + 10 unseen)
    assertThat(settled.usersAtRisk()).isZero();
  }

  @Test
  void aCoordinatorThatDiesLosesAtMostWhatCameSinceItsLastTick() {
    PersistenceId id = PersistenceId.ofUniqueId("pool-crash");
    ActorRef<Command> first = incarnation(id, new PoolTesting.Generator(), new PoolMetrics());
    first.tell(risk("journaled", 2, 20));
    first.tell(new Signal(signal("journaled", 0.95, 50, null)));
    first.tell(PoolCoordinator.Tick.INSTANCE);
    first.tell(risk("buffered", 1, 20));
    assertThat(status(first).usersAtRisk()).isEqualTo(2);

    // stopped without its stop message, as when its node dies
    testKit.stop(first, WAIT);

    ActorRef<Command> second = incarnation(id, new PoolTesting.Generator(), new PoolMetrics());
    PoolStatus after = status(second);
    assertThat(after.atRisk())
        .extracting(PoolStatus.UserAtRisk::userId)
        .containsExactly("journaled");
    assertThat(after.waiting())
        .singleElement()
        .satisfies(d -> assertThat(d.wanted()).isEqualTo(50));
  }
}
