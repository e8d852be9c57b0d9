package dev.freshet.actors.pool;

import dev.freshet.actors.CborSerializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which coverage thresholds a user is currently above (bit {@code i} for the i-th threshold in
 * ascending order) and whether the user is at risk (fewer unseen items than the at-risk limit).
 * This is the hysteresis state: a threshold fires when its bit goes from clear to set, and it is
 * cleared only when coverage falls below it again (new items arrived), which re-arms it.
 */
public record PoolLevels(int above, boolean atRisk) implements CborSerializable {

  public static final PoolLevels NONE = new PoolLevels(0, false);

  /** The levels for {@code freshness}; pure. */
  public static PoolLevels of(Freshness freshness, PoolSettings settings) {
    int above = 0;
    List<PoolSettings.Threshold> thresholds = settings.thresholds();
    for (int i = 0; i < thresholds.size(); i++) {
      if (freshness.poolSize() > 0 && freshness.coverage() >= thresholds.get(i).coverage())
        above |= 1 << i;
    }
    return new PoolLevels(
        above, freshness.poolSize() > 0 && freshness.unseen() < settings.atRiskUnseen());
  }

  /** The thresholds this user is above now but was not above in {@code before}: one signal each. */
  public List<PoolSettings.Threshold> crossedSince(PoolLevels before, PoolSettings settings) {
    List<PoolSettings.Threshold> crossed = new ArrayList<>();
    int fresh = above & ~before.above;
    for (int i = 0; i < settings.thresholds().size(); i++) {
      if ((fresh & (1 << i)) != 0) crossed.add(settings.thresholds().get(i));
    }
    return crossed;
  }

  /** The coverage thresholds this user is above, ascending. */
  public List<Double> thresholdsAbove(PoolSettings settings) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < settings.thresholds().size(); i++) {
      if ((above & (1 << i)) != 0) out.add(settings.thresholds().get(i).coverage());
    }
    return out;
  }
}
