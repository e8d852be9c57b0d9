package dev.freshet.actors.pool;

import static dev.freshet.actors.pool.PoolTesting.signal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.pool.PoolCoordinator.Demand;
import dev.freshet.actors.pool.PoolCoordinator.Pending;
import dev.freshet.actors.pool.PoolCoordinator.Recorded;
import dev.freshet.actors.pool.PoolCoordinator.RequestCompleted;
import dev.freshet.actors.pool.PoolCoordinator.RequestFailed;
import dev.freshet.actors.pool.PoolCoordinator.RequestsStarted;
import dev.freshet.actors.pool.PoolCoordinator.RiskChange;
import dev.freshet.actors.pool.PoolCoordinator.Started;
import dev.freshet.actors.pool.PoolCoordinator.State;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The coordinator's bookkeeping as plain functions: every transition, without an ActorSystem. */
class PoolCoordinatorStateTest {

  private static final int KEEP = 3;
  private final AtomicInteger ids = new AtomicInteger();

  private static Demand demand(String category, int wanted, String... users) {
    return new Demand(category, List.of(users), wanted, false, List.of(0.85), 1, 0L);
  }

  private static Recorded recorded(List<Demand> demand, List<RiskChange> risk, long signals) {
    return new Recorded(demand, risk, signals, 1_000L);
  }

  private static RiskChange atRisk(String user, int unseen) {
    return new RiskChange(user, true, unseen, 100, 1_000L);
  }

  private State start(State state, long now) {
    List<Started> due = state.due(now, 200, () -> "r" + ids.incrementAndGet());
    return state.apply(new RequestsStarted(due, now), KEEP);
  }

  @Test
  void recordedDemandMergesPerCategoryWithEachUserOnce() {
    State s =
        State.EMPTY.apply(
            recorded(List.of(demand("news", 10, "a", "b"), demand(null, 20, "c")), List.of(), 3),
            KEEP);
    s =
        s.apply(
            recorded(
                List.of(new Demand("news", List.of("b", "d"), 50, true, List.of(0.95), 1, 0L)),
                List.of(),
                2),
            KEEP);

    Demand news = s.waitingFor("news").orElseThrow();
    assertThat(news.users()).containsExactly("a", "b", "d");
    assertThat(news.wanted()).isEqualTo(50);
    assertThat(news.urgent()).isTrue();
    assertThat(news.thresholds()).containsExactly(0.85, 0.95);
    assertThat(s.waitingFor(null).orElseThrow().users()).containsExactly("c");
    assertThat(s.totals().signals()).isEqualTo(5);
  }

  @Test
  void transitionsLeaveTheStateTheyStartFromAsItWas() {
    State before =
        State.EMPTY.apply(
            recorded(List.of(demand("x", 10, "a")), List.of(atRisk("a", 2)), 1), KEEP);
    State after =
        before.apply(recorded(List.of(demand("y", 5, "b")), List.of(atRisk("b", 1)), 1), KEEP);

    assertThat(before.waiting()).hasSize(1);
    assertThat(before.usersAtRisk()).isEqualTo(1);
    assertThat(after.waiting()).hasSize(2);
    assertThat(after.usersAtRisk()).isEqualTo(2);
  }

  @Test
  void atRiskKeepsTheLatestReportPerUserAndForgetsUsersWhoLeft() {
    State s =
        State.EMPTY.apply(
            recorded(List.of(), List.of(atRisk("a", 4), atRisk("b", 3), atRisk("a", 2)), 0), KEEP);
    assertThat(s.atRisk()).extracting(PoolCoordinator.AtRisk::userId).containsExactly("b", "a");
    assertThat(s.atRisk("a").orElseThrow().unseen()).isEqualTo(2);

    s = s.apply(recorded(List.of(), List.of(RiskChange.left("b", 2_000L)), 0), KEEP);
    assertThat(s.atRisk()).extracting(PoolCoordinator.AtRisk::userId).containsExactly("a");
  }

  @Test
  void atRiskIsBoundedByForgettingTheOldestReports() {
    List<RiskChange> reports = new ArrayList<>();
    for (int i = 0; i < PoolCoordinator.MAX_AT_RISK + 5; i++) reports.add(atRisk("u" + i, 1));
    State s = State.EMPTY.apply(recorded(List.of(), reports, 0), KEEP);

    assertThat(s.usersAtRisk()).isEqualTo(PoolCoordinator.MAX_AT_RISK);
    assertThat(s.atRisk("u4")).isEmpty();
    assertThat(s.atRisk("u5")).isPresent();
  }

  @Test
  void oneRequestPerCategoryNeverTwoInFlightAndBackedOffDemandWaits() {
    State s =
        State.EMPTY.apply(
            recorded(List.of(demand("news", 500, "a", "b"), demand(null, 10, "c")), List.of(), 3),
            KEEP);
    s = start(s, 5_000L);

    assertThat(s.waiting()).isEmpty();
    assertThat(s.inFlight()).hasSize(2);
    GenerationRequest news = s.inFlight().get(0).request();
    assertThat(news.category()).isEqualTo("news");
    assertThat(news.count()).isEqualTo(200); // capped at the largest request
    assertThat(news.users()).isEqualTo(2);
    assertThat(news.reason()).isEqualTo("2 users crossed 85 % coverage of category news");
    assertThat(s.totals().requests()).isEqualTo(2);

    // demand arriving for news meanwhile waits: news is in flight
    s = s.apply(recorded(List.of(demand("news", 10, "d")), List.of(), 1), KEEP);
    assertThat(s.due(6_000L, 200, () -> "never")).isEmpty();
    assertThat(s.demandDue(6_000L)).isFalse();
  }

  @Test
  void aCompletedRequestMeetsDemandThatWantedNoMore() {
    State s =
        start(
            State.EMPTY.apply(recorded(List.of(demand("news", 20, "a")), List.of(), 1), KEEP), 1L);
    String id = s.inFlight().get(0).request().id();
    s = s.apply(recorded(List.of(demand("news", 10, "b")), List.of(), 1), KEEP);

    s = s.apply(new RequestCompleted(id, List.of("n1", "n2"), 2_000L), KEEP);

    assertThat(s.inFlight()).isEmpty();
    assertThat(s.waiting()).isEmpty();
    assertThat(s.completed())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.request().id()).isEqualTo(id);
              assertThat(r.status()).isEqualTo("completed");
              assertThat(r.itemIds()).containsExactly("n1", "n2");
            });
    assertThat(s.totals().completed()).isEqualTo(1);
    assertThat(s.totals().itemsGenerated()).isEqualTo(2);
  }

  @Test
  void demandWantingMoreThanWasMadeStaysAfterCompletion() {
    State s =
        start(
            State.EMPTY.apply(recorded(List.of(demand("news", 10, "a")), List.of(), 1), KEEP), 1L);
    String id = s.inFlight().get(0).request().id();
    s = s.apply(recorded(List.of(demand("news", 50, "b")), List.of(), 1), KEEP);

    s = s.apply(new RequestCompleted(id, List.of("n1"), 2_000L), KEEP);

    assertThat(s.waitingFor("news").orElseThrow().wanted()).isEqualTo(50);
    assertThat(s.demandDue(2_000L)).isTrue();
  }

  @Test
  void aFailedRequestsDemandWaitsForItsNextAttemptWithWhatCameMeanwhile() {
    State s =
        start(
            State.EMPTY.apply(recorded(List.of(demand("news", 10, "a")), List.of(), 1), KEEP), 1L);
    String id = s.inFlight().get(0).request().id();
    s = s.apply(recorded(List.of(demand("news", 20, "b")), List.of(), 1), KEEP);

    s = s.apply(new RequestFailed(id, "503 warming up", 60_000L, 2_000L), KEEP);

    Demand again = s.waitingFor("news").orElseThrow();
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.notBeforeMillis()).isEqualTo(60_000L);
    assertThat(again.users()).containsExactly("a", "b");
    assertThat(again.wanted()).isEqualTo(20);
    assertThat(s.failed())
        .singleElement()
        .satisfies(r -> assertThat(r.failure()).isEqualTo("503 warming up"));
    assertThat(s.due(59_999L, 200, () -> "early")).isEmpty();
    assertThat(s.nextRetry(2_000L)).hasValue(60_000L);

    List<Started> retried = s.due(60_000L, 200, () -> "second");
    assertThat(retried)
        .singleElement()
        .satisfies(
            st -> {
              assertThat(st.request().attempt()).isEqualTo(2);
              assertThat(st.request().reason()).endsWith("(attempt 2)");
            });
  }

  @Test
  void aResultForARequestNoLongerInFlightChangesNothing() {
    State s =
        start(
            State.EMPTY.apply(recorded(List.of(demand("news", 10, "a")), List.of(), 1), KEEP), 1L);
    String id = s.inFlight().get(0).request().id();
    s = s.apply(new RequestCompleted(id, List.of("n1"), 2_000L), KEEP);

    assertThat(s.apply(new RequestCompleted(id, List.of("n1"), 3_000L), KEEP)).isSameAs(s);
    assertThat(s.apply(new RequestFailed(id, "late", 9L, 3_000L), KEEP)).isSameAs(s);
  }

  @Test
  void finishedRequestsKeptAreTheLatestOnes() {
    State s = State.EMPTY;
    for (int i = 0; i < 5; i++) {
      s = start(s.apply(recorded(List.of(demand("news", 10, "a")), List.of(), 1), KEEP), i);
      s =
          s.apply(
              new RequestCompleted(s.inFlight().get(0).request().id(), List.of("i" + i), i), KEEP);
    }
    assertThat(s.completed()).hasSize(KEEP);
    assertThat(s.completed().get(KEEP - 1).itemIds()).containsExactly("i4");
    assertThat(s.totals().completed()).isEqualTo(5);
  }

  @Test
  void pendingMergesSignalsAndKeepsTheLatestReportPerUser() {
    Pending p = new Pending();
    assertThat(p.drain(1L)).isEmpty();
    p.add(signal("a", 0.85, 10, "news"));
    p.add(signal("a", 0.90, 20, "news"));
    p.add(signal("b", 0.85, 10, null));
    p.report(PoolTesting.risk("a", 4, 10));
    p.report(PoolTesting.risk("b", 3, 10));
    p.report(PoolTesting.left("a"));

    Recorded r = p.drain(5L).orElseThrow();
    assertThat(r.signals()).isEqualTo(3);
    assertThat(r.demand()).hasSize(2);
    assertThat(r.demand().get(0).users()).containsExactly("a");
    assertThat(r.demand().get(0).wanted()).isEqualTo(20);
    assertThat(r.demand().get(0).thresholds()).containsExactly(0.85, 0.90);
    assertThat(r.risk()).extracting(RiskChange::userId).containsExactly("b", "a");
    assertThat(r.risk().get(1).atRisk()).isFalse();
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void usersTheCatalogGaveNewItemsLeaveRiskAndStatusLeavesThemOut() {
    CatalogSnapshot ten = TestCatalogs.ofSize(10, 2);
    CatalogSnapshot twenty = TestCatalogs.ofSize(20, 2);
    State s =
        State.EMPTY.apply(
            recorded(
                List.of(),
                List.of(
                    new RiskChange("old", true, 2, 10, 1L), new RiskChange("new", true, 2, 20, 1L)),
                0),
            KEEP);

    // 10 items created after "old"'s report: 12 unseen now, no longer at risk
    PoolStatus status = s.status("g", twenty, 5, 2L);
    assertThat(status.usersAtRisk()).isEqualTo(1);
    assertThat(status.atRisk()).extracting(PoolStatus.UserAtRisk::userId).containsExactly("new");
    assertThat(s.status("g", ten, 5, 2L).usersAtRisk()).isEqualTo(2);

    Pending p = new Pending();
    p.forgetRecovered(s, twenty, 5, 3L);
    State after = s.apply(p.drain(3L).orElseThrow(), KEEP);
    assertThat(after.atRisk()).extracting(PoolCoordinator.AtRisk::userId).containsExactly("new");
  }

  @Test
  void malformedSignalsAndReportsAreNamed() {
    assertThat(PoolCoordinator.problem((PoolLowSignal) null)).isNotNull();
    assertThat(PoolCoordinator.problem(signal(null, 0.85, 10, null))).contains("userId");
    assertThat(PoolCoordinator.problem(signal("", 0.85, 10, null))).contains("userId");
    assertThat(PoolCoordinator.problem(signal("x".repeat(10_000), 0.85, 10, null)))
        .contains("userId");
    assertThat(PoolCoordinator.problem(signal("a", Double.NaN, 10, null))).contains("threshold");
    assertThat(PoolCoordinator.problem(signal("a", 1.5, 10, null))).contains("threshold");
    assertThat(PoolCoordinator.problem(signal("a", 0.85, 0, null))).contains("wanted");
    assertThat(PoolCoordinator.problem(signal("a", 0.85, -5, null))).contains("wanted");
    assertThat(PoolCoordinator.problem(signal("a", 0.85, 10, ""))).contains("category");
    assertThat(PoolCoordinator.problem(signal("a", 0.85, 10, "news"))).isNull();
    assertThat(PoolCoordinator.problem(new PoolCoordinator.RiskReport(null, 1, true, 1, 1L)))
        .contains("userId");
    assertThat(PoolCoordinator.problem(new PoolCoordinator.RiskReport("a", -1, true, 1, 1L)))
        .contains("unseen");
    assertThat(PoolCoordinator.problem(new PoolCoordinator.RiskReport("a", 1, true, -1, 1L)))
        .contains("denseIdBound");
    assertThat(PoolCoordinator.problem(PoolTesting.risk("a", 1, 1))).isNull();
  }
}
