package dev.freshet.actors.pool;

import static dev.freshet.actors.pool.PoolTesting.await;
import static dev.freshet.actors.pool.PoolTesting.left;
import static dev.freshet.actors.pool.PoolTesting.risk;
import static dev.freshet.actors.pool.PoolTesting.signal;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.pool.PoolCoordinator.Command;
import dev.freshet.actors.pool.PoolCoordinator.Event;
import dev.freshet.actors.pool.PoolCoordinator.Recorded;
import dev.freshet.actors.pool.PoolCoordinator.RequestCompleted;
import dev.freshet.actors.pool.PoolCoordinator.RequestFailed;
import dev.freshet.actors.pool.PoolCoordinator.RequestsStarted;
import dev.freshet.actors.pool.PoolCoordinator.Signal;
import dev.freshet.actors.pool.PoolCoordinator.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The coordinator as an event-sourced behaviour on the persistence test kit's journal and snapshot
 * store (events, state and replies checked for serialization by the kit): what each command
 * journals, recovery, and that no input breaks it.
 */
class PoolCoordinatorTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private static final AtomicInteger journals = new AtomicInteger();

  private final Catalog catalog = PoolTesting.catalog(20);
  private final PoolTesting.Generator generator = new PoolTesting.Generator();
  private final PoolMetrics metrics = new PoolMetrics();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<Command, Event, State> kit(Map<String, Object> overrides) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        PoolCoordinator.create(
            PersistenceId.ofUniqueId("pool-" + journals.incrementAndGet()),
            PoolTesting.settings(overrides),
            generator,
            catalog,
            metrics));
  }

  private EventSourcedBehaviorTestKit<Command, Event, State> kit() {
    return kit(Map.of());
  }

  private static PoolStatus status(EventSourcedBehaviorTestKit<Command, Event, State> kit) {
    return kit.<PoolStatus>runCommand(PoolCoordinator.GetStatus::new).reply();
  }

  @Test
  void signalsAndReportsAreBufferedAndJournaledAsOneEventPerTick() {
    var kit = kit();
    for (int i = 0; i < 50; i++) {
      assertThat(kit.runCommand(new Signal(signal("u" + i, 0.85, 10, "news"))).hasNoEvents())
          .isTrue();
      assertThat(kit.runCommand(risk("u" + i, 3, 20)).hasNoEvents()).isTrue();
    }
    // the status shows what is buffered at once
    PoolStatus before = status(kit);
    assertThat(before.usersAtRisk()).isEqualTo(50);
    assertThat(before.waiting())
        .singleElement()
        .satisfies(d -> assertThat(d.users()).isEqualTo(50));
    assertThat(before.totals().signals()).isEqualTo(50);

    var tick = kit.runCommand(PoolCoordinator.Tick.INSTANCE);
    assertThat(tick.events()).hasSize(1);
    Recorded recorded = (Recorded) tick.event();
    assertThat(recorded.signals()).isEqualTo(50);
    assertThat(recorded.risk()).hasSize(50);
    assertThat(recorded.demand()).singleElement().satisfies(d -> assertThat(d.users()).hasSize(50));
    assertThat(tick.state().usersAtRisk()).isEqualTo(50);
    assertThat(tick.state().totals().signals()).isEqualTo(50);
    assertThat(metrics.usersAtRisk()).isEqualTo(50);
    assertThat(metrics.demandWaiting()).isEqualTo(1);
    assertThat(metrics.signals()).isEqualTo(50);

    // nothing buffered: a tick writes nothing
    assertThat(kit.runCommand(PoolCoordinator.Tick.INSTANCE).hasNoEvents()).isTrue();
  }

  @Test
  void aFullBufferIsJournaledBeforeItsTick() {
    var kit = kit();
    for (int i = 0; i < PoolCoordinator.MAX_BUFFERED - 1; i++) {
      assertThat(kit.runCommand(risk("u" + i, 3, 20)).hasNoEvents()).isTrue();
    }
    var full = kit.runCommand(risk("last", 3, 20));
    assertThat(full.events()).hasSize(1);
    assertThat(full.state().usersAtRisk()).isEqualTo(PoolCoordinator.MAX_BUFFERED);
  }

  @Test
  void theWindowStartsOneRequestJournaledBeforeTheGeneratorIsAsked() {
    var kit = kit();
    kit.runCommand(new Signal(signal("a", 0.85, 10, "news")));
    kit.runCommand(new Signal(signal("b", 0.95, 50, "news")));
    kit.runCommand(new Signal(signal("c", 0.85, 10, null)));

    var flush = kit.runCommand(PoolCoordinator.Flush.INSTANCE);
    // one write: the buffer and the requests it starts
    assertThat(flush.events()).hasSize(2);
    assertThat(flush.events().get(0)).isInstanceOf(Recorded.class);
    RequestsStarted started = (RequestsStarted) flush.events().get(1);
    assertThat(started.requests()).hasSize(2);
    GenerationRequest news = started.requests().get(0).request();
    assertThat(news.count()).isEqualTo(50);
    assertThat(news.urgent()).isTrue();
    assertThat(news.users()).isEqualTo(2);
    assertThat(flush.state().inFlight()).hasSize(2);
    assertThat(flush.state().waiting()).isEmpty();
    await("both requests asked", Duration.ofSeconds(5), () -> generator.calls.size() == 2);

    generator.answer(1).complete(PoolTesting.Generator.items(news));
    await(
        "the request completed",
        Duration.ofSeconds(5),
        () -> kit.getState().totals().completed() == 1);
    State state = kit.getState();
    assertThat(state.inFlight())
        .singleElement()
        .satisfies(s -> assertThat(s.request().category()).isNull());
    assertThat(state.completed().get(0).itemIds()).hasSize(50);
    assertThat(catalog.snapshot().byId("gen-" + news.id() + "-0")).isPresent();
    assertThat(metrics.itemsGenerated()).isEqualTo(50);

    generator.answer(2).completeExceptionally(new IllegalStateException("generator down"));
    await("the request failed", Duration.ofSeconds(5), () -> kit.getState().totals().failed() == 1);
    state = kit.getState();
    assertThat(state.inFlight()).isEmpty();
    assertThat(state.failed().get(0).failure()).isEqualTo("generator down");
    assertThat(state.waitingFor(null).orElseThrow().attempt()).isEqualTo(2);
    // backing off: the next window starts nothing
    assertThat(kit.runCommand(PoolCoordinator.Flush.INSTANCE).hasNoEvents()).isTrue();
  }

  @Test
  void aResultForASettledRequestIsIgnored() {
    var kit = kit();
    kit.runCommand(new Signal(signal("a", 0.85, 10, "news")));
    var flush = kit.runCommand(PoolCoordinator.Flush.INSTANCE);
    GenerationRequest request =
        ((RequestsStarted) flush.events().get(1)).requests().get(0).request();

    var first = kit.runCommand(new PoolCoordinator.Finished(request, List.of(), null));
    assertThat(first.event()).isInstanceOf(RequestCompleted.class);
    var second =
        kit.runCommand(
            new PoolCoordinator.Finished(request, null, new IllegalStateException("late")));
    assertThat(second.hasNoEvents()).isTrue();
    assertThat(second.state().totals().completed()).isEqualTo(1);
    assertThat(second.state().totals().failed()).isZero();
  }

  @Test
  void recoveryRestoresTheBookkeepingFromSnapshotAndEvents() {
    var kit = kit(Map.of("freshet.pool.snapshot-every", 2));
    kit.runCommand(new Signal(signal("a", 0.85, 10, "news")));
    kit.runCommand(risk("a", 4, 20));
    kit.runCommand(PoolCoordinator.Flush.INSTANCE); // two events: a snapshot
    kit.runCommand(new Signal(signal("b", 0.90, 20, "news")));
    kit.runCommand(risk("b", 2, 20));
    kit.runCommand(risk("c", 1, 20));
    kit.runCommand(left("a"));
    kit.runCommand(PoolCoordinator.Tick.INSTANCE); // one event after it
    State before = kit.getState();
    String requestId = before.inFlight().get(0).request().id();

    var restart = kit.restart();

    State after = restart.state();
    assertThat(after.atRisk()).isEqualTo(before.atRisk());
    assertThat(after.atRisk()).extracting(PoolCoordinator.AtRisk::userId).containsExactly("b", "c");
    assertThat(after.waiting()).isEqualTo(before.waiting());
    assertThat(after.inFlight()).isEqualTo(before.inFlight());
    assertThat(after.totals()).isEqualTo(before.totals());
    // the new incarnation asks again for the request in flight, once
    await("asked again", Duration.ofSeconds(5), () -> generator.callsFor(requestId) == 2);
  }

  @Test
  void noInputBreaksIt() {
    var kit = kit();
    List<Command> hostile =
        List.of(
            new Signal(null),
            new Signal(signal(null, 0.85, 10, null)),
            new Signal(signal("x".repeat(100_000), 0.85, 10, null)),
            new Signal(signal("a", Double.NaN, 10, null)),
            new Signal(signal("a", Double.POSITIVE_INFINITY, 10, null)),
            new Signal(signal("a", 0.85, Integer.MIN_VALUE, null)),
            new Signal(signal("a", 0.85, 10, "")),
            new PoolCoordinator.RiskReport(null, 1, true, 1, 1L),
            new PoolCoordinator.RiskReport("a", -7, true, 1, 1L),
            new PoolCoordinator.RiskReport("a", 1, true, Integer.MIN_VALUE, 1L));
    for (Command c : hostile) assertThat(kit.runCommand(c).hasNoEvents()).isTrue();
    assertThat(kit.runCommand(PoolCoordinator.Tick.INSTANCE).hasNoEvents()).isTrue();
    assertThat(status(kit).totals().signals()).isZero();

    // a signal asking for more than any request may: capped; a generator that throws instead of
    // failing its stage, or answers nothing, fails the request
    var throwing =
        EventSourcedBehaviorTestKit.<Command, Event, State>create(
            testKit.system(),
            PoolCoordinator.create(
                PersistenceId.ofUniqueId("pool-hostile-" + journals.incrementAndGet()),
                PoolTesting.settings(Map.of()),
                new PoolGenerator() {
                  final AtomicInteger calls = new AtomicInteger();

                  @Override
                  public String name() {
                    return "broken";
                  }

                  @Override
                  public java.util.concurrent.CompletionStage<
                          List<dev.freshet.actors.catalog.ItemUpsert>>
                      generate(GenerationRequest request) {
                    if (calls.incrementAndGet() == 1) throw new IllegalStateException("boom");
                    return null;
                  }
                },
                catalog,
                new PoolMetrics()));
    throwing.runCommand(new Signal(signal("a", 0.85, Integer.MAX_VALUE, "x")));
    throwing.runCommand(new Signal(signal("b", 0.85, 10, "y")));
    var flush = throwing.runCommand(PoolCoordinator.Flush.INSTANCE);
    assertThat(((RequestsStarted) flush.events().get(1)).requests().get(0).request().count())
        .isEqualTo(200);
    await(
        "both requests failed",
        Duration.ofSeconds(5),
        () -> throwing.getState().totals().failed() == 2);
    assertThat(throwing.getState().failed())
        .extracting(PoolStatus.RequestRecord::failure)
        .containsExactlyInAnyOrder("boom", "the generator returned nothing");
    // and it still answers
    assertThat(throwing.<PoolStatus>runCommand(PoolCoordinator.GetStatus::new).reply().generator())
        .isEqualTo("broken");
  }

  @Test
  void aFailedRequestKeepsItsReasonShort() {
    var kit = kit();
    kit.runCommand(new Signal(signal("a", 0.85, 10, "news")));
    var flush = kit.runCommand(PoolCoordinator.Flush.INSTANCE);
    GenerationRequest request =
        ((RequestsStarted) flush.events().get(1)).requests().get(0).request();
    var failed =
        kit.runCommand(
            new PoolCoordinator.Finished(request, null, new RuntimeException("x".repeat(5_000))));
    assertThat(((RequestFailed) failed.event()).reason().length()).isLessThanOrEqualTo(1_001);
  }
}
