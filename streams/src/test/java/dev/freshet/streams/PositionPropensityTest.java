package dev.freshet.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import org.junit.jupiter.api.Test;

class PositionPropensityTest {

  private static final double EPS = 1e-12;

  private static PositionPropensity.Builder shown(
      PositionPropensity.Builder b, int position, int shown, int clicked) {
    for (int i = 0; i < shown; i++) b.add(position, i < clicked);
    return b;
  }

  @Test
  void propensityIsClickThroughRelativeToPositionOneAndWeightItsInverse() {
    PositionPropensity.Builder b = PositionPropensity.builder();
    shown(b, 1, 10, 5);
    shown(b, 2, 10, 2);
    shown(b, 3, 10, 1);
    shown(b, 4, 10, 0);
    PositionPropensity p = b.build();

    assertThat(p.propensity(1)).isEqualTo(1.0);
    assertThat(p.weight(1)).isEqualTo(1.0);
    assertThat(p.propensity(2)).isCloseTo(0.4, within(EPS));
    assertThat(p.weight(2)).isCloseTo(2.5, within(EPS));
    assertThat(p.propensity(3)).isCloseTo(0.2, within(EPS));
    assertThat(p.weight(3)).isCloseTo(5.0, within(EPS));
    // never clicked: clipped to the floor 1/20
    assertThat(p.propensity(4)).isCloseTo(0.05, within(EPS));
    assertThat(p.weight(4)).isCloseTo(20.0, within(EPS));
    // never shown: no evidence of being looked at, the same floor
    assertThat(p.propensity(9)).isCloseTo(0.05, within(EPS));

    assertThat(p.table())
        .extracting(
            PositionPropensity.Row::position,
            PositionPropensity.Row::shown,
            PositionPropensity.Row::clicked)
        .containsExactly(
            tuple(1, 10L, 5L), tuple(2, 10L, 2L), tuple(3, 10L, 1L), tuple(4, 10L, 0L));
    assertThat(p.table().get(1).ctr()).isCloseTo(0.2, within(EPS));
    assertThat(p.table().get(3).weight()).isCloseTo(20.0, within(EPS));
  }

  @Test
  void aggregatesCountTheSameAsSingleObservations() {
    PositionPropensity p =
        PositionPropensity.builder().add(1, 10, 5).add(2, 6, 1).add(2, 4, 1).build();

    assertThat(p.propensity(2)).isCloseTo(0.4, within(EPS));
    assertThat(p.table().get(1).shown()).isEqualTo(10);
  }

  @Test
  void clippingBoundsTheWeightAtTheConfiguredMaximumAndPropensityAtOne() {
    PositionPropensity p =
        PositionPropensity.builder(4).add(1, 100, 50).add(2, 100, 5).add(3, 100, 80).build();

    assertThat(p.propensity(2)).isCloseTo(0.25, within(EPS)); // 0.1 raw, clipped to 1/4
    assertThat(p.weight(2)).isCloseTo(4.0, within(EPS));
    assertThat(p.propensity(3)).isEqualTo(1.0); // 1.6 raw: clicked more than the top
    assertThat(p.weight(3)).isEqualTo(1.0);
  }

  @Test
  void withoutClicksAtPositionOneThereIsNoReferenceAndEveryPropensityIsOne() {
    PositionPropensity noClicks =
        PositionPropensity.builder().add(1, 10, 0).add(2, 10, 3).add(3, 10, 0).build();
    PositionPropensity notShown = PositionPropensity.builder().add(2, 10, 3).build();
    PositionPropensity empty = PositionPropensity.builder().build();

    for (PositionPropensity p : new PositionPropensity[] {noClicks, notShown, empty}) {
      for (int position = 1; position <= 3; position++) {
        assertThat(p.propensity(position)).isEqualTo(1.0);
        assertThat(p.weight(position)).isEqualTo(1.0);
      }
    }
    assertThat(empty.table()).isEmpty();
  }

  @Test
  void rejectsImpossibleCounts() {
    assertThatThrownBy(() -> PositionPropensity.builder().add(1, 2, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PositionPropensity.builder(0.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
