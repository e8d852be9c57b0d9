package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EngagedUnshownTest {

  @Test
  void anItemStaysUntilItsImpressionIsRecorded() {
    EngagedUnshown unshown = new EngagedUnshown();
    unshown.engaged(7);
    unshown.engaged(2);
    unshown.engaged(7);
    assertThat(unshown.toArray()).containsExactly(2, 7);

    unshown.shown(7, 9);
    assertThat(unshown.contains(7)).isFalse();
    assertThat(unshown.contains(2)).isTrue();
    assertThat(unshown.size()).isEqualTo(1);
  }

  @Test
  void beyondItsLimitAnEngagementIsNotRemembered() {
    EngagedUnshown unshown = new EngagedUnshown();
    IntStream.range(0, EngagedUnshown.LIMIT + 10).forEach(id -> unshown.engaged(1_000 - id));
    assertThat(unshown.size()).isEqualTo(EngagedUnshown.LIMIT);
    assertThat(unshown.contains(1_000)).isTrue();
    assertThat(unshown.contains(1_000 - EngagedUnshown.LIMIT)).isFalse();
  }

  @Test
  void aSnapshotsIdsAreTakenSortedOnceAndWithinTheLimit() {
    assertThat(EngagedUnshown.of(new int[] {5, 1, 5, 3}).toArray()).containsExactly(1, 3, 5);
    assertThat(EngagedUnshown.of(null).size()).isZero();
    int[] many = IntStream.range(0, EngagedUnshown.LIMIT * 2).toArray();
    assertThat(EngagedUnshown.of(many).size()).isEqualTo(EngagedUnshown.LIMIT);
  }
}
