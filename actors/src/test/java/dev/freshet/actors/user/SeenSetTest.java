package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenSetTest {

  @Test
  void firstTimeDropsKnownIdsAndRepeatsWithinTheBatchWithoutChangingTheSet() {
    SeenSet seen = new SeenSet();
    seen.addAll(new int[] {3, 5});

    int[] fresh = seen.firstTimeIndexes(new int[] {5, 7, 7, 3, 9, 7});

    assertThat(fresh).containsExactly(1, 4); // the first 7 and the 9
    assertThat(seen.size()).isEqualTo(2);
  }

  @Test
  void survivesSerializationRoundTrip() {
    SeenSet seen = new SeenSet();
    for (int i = 0; i < 10_000; i += 3) seen.addAll(new int[] {i});

    SeenSet copy = SeenSet.fromBytes(seen.toBytes());

    assertThat(copy).isEqualTo(seen);
    assertThat(copy.size()).isEqualTo(3_334);
  }

  @Test
  void thousandSeenItemsStayCompact() {
    SeenSet seen = new SeenSet();
    for (int i = 0; i < 1_000; i++) seen.addAll(new int[] {i * 5});
    seen.compact();
    // one array container of 1,000 shorts: 2 KB plus a small header
    assertThat(seen.sizeInBytes()).isLessThan(2_200);
  }
}
