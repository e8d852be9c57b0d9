package dev.freshet.actors.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The threshold logic on its own: crossings, hysteresis, urgency. */
class PoolLevelsTest {

  private final PoolSettings settings = PoolSettings.fromConfig(ConfigFactory.load());

  /**
   * Walks coverage through {@code path} (per mille of a 1,000-item pool) and collects every
   * crossing.
   */
  private List<PoolSettings.Threshold> walk(int... path) {
    List<PoolSettings.Threshold> fired = new ArrayList<>();
    PoolLevels levels = PoolLevels.NONE;
    for (int seen : path) {
      PoolLevels next = PoolLevels.of(Freshness.of(1_000, seen), settings);
      fired.addAll(next.crossedSince(levels, settings));
      levels = next;
    }
    return fired;
  }

  @Test
  void theDefaultsAre85_90_95PercentAskingFor10_20_50() {
    assertThat(settings.thresholds())
        .containsExactly(
            new PoolSettings.Threshold(0.85, 10, false),
            new PoolSettings.Threshold(0.90, 20, false),
            new PoolSettings.Threshold(0.95, 50, true));
  }

  @Test
  void eachThresholdFiresOncePerCrossing() {
    assertThat(walk(500, 849, 850, 860, 870, 899, 900, 920, 949, 950, 990, 1_000))
        .extracting(PoolSettings.Threshold::coverage)
        .containsExactly(0.85, 0.90, 0.95);
  }

  @Test
  void onlyThe95PercentThresholdIsUrgent() {
    assertThat(walk(860, 910, 960))
        .extracting(PoolSettings.Threshold::urgent)
        .containsExactly(false, false, true);
  }

  @Test
  void aJumpOverSeveralThresholdsFiresEachOfThem() {
    assertThat(walk(100, 970))
        .extracting(PoolSettings.Threshold::wanted)
        .containsExactly(10, 20, 50);
  }

  @Test
  void noRepeatWhileAboveButANewCrossingAfterNewItemsFiresAgain() {
    // 86 % → (stays above, wobbling) → new items bring it to 80 % → 86 % again
    assertThat(walk(860, 870, 851, 880, 800, 860))
        .extracting(PoolSettings.Threshold::coverage)
        .containsExactly(0.85, 0.85);
    // dropping below 90 % but not 85 % re-arms only 90 %
    assertThat(walk(910, 870, 910))
        .extracting(PoolSettings.Threshold::coverage)
        .containsExactly(0.85, 0.90, 0.90);
  }

  @Test
  void atRiskBelowFiveUnseenAndNeverForAnEmptyPool() {
    assertThat(PoolLevels.of(Freshness.of(1_000, 995), settings).atRisk()).isFalse();
    assertThat(PoolLevels.of(Freshness.of(1_000, 996), settings).atRisk()).isTrue();
    assertThat(PoolLevels.of(Freshness.of(0, 0), settings)).isEqualTo(PoolLevels.NONE);
  }

  @Test
  void thresholdsAboveListsTheLevelsReached() {
    assertThat(PoolLevels.of(Freshness.of(100, 92), settings).thresholdsAbove(settings))
        .containsExactly(0.85, 0.90);
  }
}
