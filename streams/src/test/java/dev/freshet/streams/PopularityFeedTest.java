package dev.freshet.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.freshet.actors.popularity.PopularityDeltas;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A window's sum counts every interaction as of its event time, not as of its arrival. */
class PopularityFeedTest {

  private static final long HOUR = 3_600_000L, T = 1_800_000_000_000L;

  @Test
  void aWindowIsAsOfItsLatestEventAndOlderEventsAreDecayedToIt() {
    PopularityDeltas deltas =
        PopularityFeed.sum(
            List.of(
                new PopularityFeed.Signal(1, "news", 2.0, T - 2 * HOUR),
                new PopularityFeed.Signal(1, "news", 1.0, T),
                new PopularityFeed.Signal(2, null, 4.0, T - HOUR)),
            HOUR);
    assertThat(deltas.at()).isEqualTo(T);
    assertThat(deltas.items().get(1)).isCloseTo(2.0 / 4 + 1.0, offset(1e-12));
    assertThat(deltas.items().get(2)).isCloseTo(2.0, offset(1e-12));
    assertThat(deltas.categories()).containsOnlyKeys("news");
    assertThat(deltas.categories().get("news")).isCloseTo(1.5, offset(1e-12));
  }

  @Test
  void anEventFromTheFutureWithinTheAcceptedWindowSetsTheWindowsTime() {
    PopularityDeltas deltas =
        PopularityFeed.sum(
            List.of(
                new PopularityFeed.Signal(1, null, 1.0, T),
                new PopularityFeed.Signal(1, null, 1.0, T + HOUR)),
            HOUR);
    assertThat(deltas.at()).isEqualTo(T + HOUR);
    assertThat(deltas.items().get(1)).isCloseTo(1.5, offset(1e-12));
  }
}
