package dev.freshet.actors.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.pool.FreshnessBands.Band;
import dev.freshet.actors.pool.FreshnessBands.Share;
import org.junit.jupiter.api.Test;

/** Which band a user's freshness falls into, and how moving users between bands adds up. */
class FreshnessBandsTest {

  private static Band band(int poolSize, int seen) {
    return Band.of(Freshness.of(poolSize, seen), 5);
  }

  @Test
  void halfUnseenIsStillFreshAndFewUnseenIsIndependentOfTheShare() {
    assertThat(band(100, 50)).isEqualTo(new Band(Share.HALF_OR_MORE_UNSEEN, false));
    assertThat(band(100, 51)).isEqualTo(new Band(Share.UNDER_HALF_UNSEEN, false));
    assertThat(band(100, 96)).isEqualTo(new Band(Share.UNDER_HALF_UNSEEN, true));
    assertThat(band(100, 95)).isEqualTo(new Band(Share.UNDER_HALF_UNSEEN, false));
    // a tiny pool can be mostly unseen and almost exhausted at once
    assertThat(band(6, 2)).isEqualTo(new Band(Share.HALF_OR_MORE_UNSEEN, true));
    assertThat(band(0, 0)).isEqualTo(new Band(Share.EMPTY_POOL, false));
    // bands are shared values: entities compare them by identity
    assertThat(band(100, 10)).isSameAs(band(200, 3));
  }

  @Test
  void movesAddUpToTheResidentUsersAndTheKpi() {
    FreshnessBands bands = new FreshnessBands();
    assertThat(bands.kpi()).isEmpty();
    Band fresh = band(100, 10), stale = band(100, 80), exhausted = band(100, 98);
    bands.move(null, fresh);
    bands.move(null, fresh);
    bands.move(null, stale);
    bands.move(null, band(0, 0));
    assertThat(bands.total()).isEqualTo(4);
    assertThat(bands.users(Share.HALF_OR_MORE_UNSEEN)).isEqualTo(2);
    assertThat(bands.kpi()).hasValue(2 / 3.0);
    bands.move(stale, exhausted);
    assertThat(bands.fewUnseen()).isEqualTo(1);
    assertThat(bands.users(Share.UNDER_HALF_UNSEEN)).isEqualTo(1);
    bands.move(exhausted, null);
    bands.move(fresh, fresh);
    assertThat(bands.fewUnseen()).isZero();
    assertThat(bands.total()).isEqualTo(3);
    assertThat(bands.kpi()).hasValue(1.0);
  }
}
