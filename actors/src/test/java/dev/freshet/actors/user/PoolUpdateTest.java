package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.pool.Freshness;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolLevels;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The pool-level update on its own: levels, crossings, signals, at-risk reports and the freshness
 * band.
 */
class PoolUpdateTest {

  private final UserEntitySettings settings = UserEntitySettings.fromConfig(ConfigFactory.load());
  private final CatalogSnapshot catalog = TestCatalogs.ofSize(100, 4);

  /** A user who has seen {@code ids} and is at the levels {@code pool}. */
  private UserEntity.State seen(PoolLevels pool, int... ids) {
    return new UserEntity.State()
        .showImpressions(
            new UserEntity.ImpressionsShown(ids, new int[0], 1_000L, null, null, null),
            settings.features())
        .withPoolLevels(pool);
  }

  private static int[] range(int from, int to) {
    return IntStream.range(from, to).toArray();
  }

  private PoolUpdate update(UserEntity.State state, CatalogSnapshot catalog, int... firstSeen) {
    return PoolUpdate.of("u1", state, firstSeen, catalog, settings, 5_000L);
  }

  private static List<Double> signalled(PoolUpdate update) {
    return update.messages().stream()
        .filter(m -> m instanceof PoolCoordinator.Signal)
        .map(m -> ((PoolCoordinator.Signal) m).signal().threshold())
        .toList();
  }

  @Test
  void crossingAThresholdSignalsItOnceWithTheSizeWantedAndMovesTheLevels() {
    PoolUpdate crossing = update(seen(PoolLevels.NONE, range(0, 84)), catalog, 84, 85);

    assertThat(crossing.moved()).isTrue();
    assertThat(crossing.levels()).isEqualTo(new PoolLevels(1, false));
    var signal = ((PoolCoordinator.Signal) crossing.messages().get(0)).signal();
    assertThat(crossing.messages()).hasSize(1);
    assertThat(signal.userId()).isEqualTo("u1");
    assertThat(signal.threshold()).isEqualTo(0.85);
    assertThat(signal.wanted()).isEqualTo(10);
    assertThat(signal.freshness()).isEqualTo(Freshness.of(100, 86));
    assertThat(signal.category()).isNull(); // no favourite category
    assertThat(crossing.band()).isEqualTo(FreshnessBands.Band.of(Freshness.of(100, 86), 5));

    PoolUpdate stillAbove = update(seen(crossing.levels(), range(0, 86)), catalog, 86, 87);
    assertThat(stillAbove.moved()).isFalse();
    assertThat(stillAbove.messages()).isEmpty();
  }

  @Test
  void newItemsReArmAThresholdWithoutASignal() {
    PoolUpdate rearm =
        update(seen(new PoolLevels(1, false), range(0, 86)), TestCatalogs.ofSize(200, 4), 100);

    assertThat(rearm.moved()).isTrue();
    assertThat(rearm.levels()).isEqualTo(PoolLevels.NONE);
    assertThat(rearm.messages()).isEmpty();

    // nothing newly seen: the catalog alone re-arms it too
    assertThat(
            update(seen(new PoolLevels(1, false), range(0, 86)), TestCatalogs.ofSize(200, 4))
                .levels())
        .isEqualTo(PoolLevels.NONE);
  }

  @Test
  void aUserAtRiskIsReportedOnEveryNewlySeenItemAndOnLeavingIt() {
    PoolUpdate atRisk =
        update(seen(new PoolLevels(0b11, false), range(0, 91)), catalog, range(91, 96));
    assertThat(signalled(atRisk)).containsExactly(0.95);
    var report = (PoolCoordinator.RiskReport) atRisk.messages().get(1);
    assertThat(report.atRisk()).isTrue();
    assertThat(report.unseen()).isEqualTo(4);

    PoolUpdate again = update(seen(atRisk.levels(), range(0, 96)), catalog, 96);
    assertThat(again.messages()).singleElement().isInstanceOf(PoolCoordinator.RiskReport.class);

    PoolUpdate left = update(seen(atRisk.levels(), range(0, 96)), TestCatalogs.ofSize(200, 4));
    assertThat(left.messages())
        .containsExactly(new PoolCoordinator.RiskReport("u1", 104, false, 200, 5_000L));
    assertThat(PoolUpdate.leftRisk("u1", catalog, 7_000L))
        .isEqualTo(new PoolCoordinator.RiskReport("u1", 0, false, 100, 7_000L));
  }

  @Test
  void aSignalNamesTheFavouriteCategoryOnlyWhenItRunsAsLow() {
    var click =
        new Interaction(
            1, InteractionType.CLICK, 4_000L, null, null, null, null, "cat-1", List.of());
    UserEntity.State clicker =
        seen(PoolLevels.NONE, IntStream.range(0, 100).filter(i -> i % 4 == 1 || i < 60).toArray())
            .applyInteractions(
                new UserEntity.InteractionsRecorded(List.of(click)), settings.features());
    int[] rest =
        IntStream.range(60, 100)
            .filter(i -> i % 4 != 1)
            .limit(15)
            .toArray(); // 85 %, cat-1 at 100 %
    assertThat(
            ((PoolCoordinator.Signal) update(clicker, catalog, rest).messages().get(0))
                .signal()
                .category())
        .isEqualTo("cat-1");

    UserEntity.State lowElsewhere =
        seen(PoolLevels.NONE, IntStream.range(0, 100).filter(i -> i % 4 != 1).toArray())
            .applyInteractions(
                new UserEntity.InteractionsRecorded(List.of(click)), settings.features());
    int[] cat1 =
        IntStream.range(2, 100).filter(i -> i % 4 == 1).limit(10).toArray(); // 86 %, cat-1 at 44 %
    assertThat(
            ((PoolCoordinator.Signal) update(lowElsewhere, catalog, cat1).messages().get(0))
                .signal()
                .category())
        .isNull();
  }

  @Test
  void aUserWithoutConsentCountsInNoBand() {
    UserEntity.State withdrawn =
        seen(PoolLevels.NONE, 1, 2).setConsent(new UserEntity.ConsentSet(false, 2_000L));
    assertThat(update(withdrawn, catalog).band()).isNull();
  }
}
