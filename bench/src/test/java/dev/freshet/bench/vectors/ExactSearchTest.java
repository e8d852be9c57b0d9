package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactSearchTest {

  private static final float[][] ITEMS = VectorData.generate(2_000, 30, 16, 20, 11).items();
  private static final float[][] QUERIES = VectorData.generate(2_000, 30, 16, 20, 11).queries();

  /** The obvious way: score everything, sort by score descending then id. */
  private static int[] bySorting(float[] query, int k, IntPredicate allowed) {
    return IntStream.range(0, ITEMS.length)
        .filter(i -> allowed == null || allowed.test(i))
        .boxed()
        .sorted(
            Comparator.comparingDouble((Integer i) -> -ExactSearch.dot(ITEMS[i], query))
                .thenComparingInt(i -> i))
        .limit(k)
        .mapToInt(i -> i)
        .toArray();
  }

  @Test
  void topKIsTheBestKInOrder() {
    for (float[] q : QUERIES) {
      assertArrayEquals(bySorting(q, 100, null), ExactSearch.topK(ITEMS, q, 100, null));
      assertArrayEquals(bySorting(q, 1, null), ExactSearch.topK(ITEMS, q, 1, null));
    }
  }

  @Test
  void topKHonoursTheFilter() {
    IntPredicate odd = i -> i % 2 == 1;
    for (float[] q : QUERIES) {
      int[] got = ExactSearch.topK(ITEMS, q, 100, odd);
      assertArrayEquals(bySorting(q, 100, odd), got);
      assertEquals(0, IntStream.of(got).filter(i -> i % 2 == 0).count());
    }
  }

  @Test
  void fewerAllowedItemsThanKGivesAllOfThem() {
    int[] got = ExactSearch.topK(ITEMS, QUERIES[0], 100, i -> i < 10);
    assertEquals(10, got.length);
    assertArrayEquals(bySorting(QUERIES[0], 100, i -> i < 10), got);
  }

  @Test
  void tiesGoToTheLowerId() {
    float[][] same = {{1, 0}, {0, 1}, {1, 0}, {1, 0}};
    assertArrayEquals(new int[] {0, 2}, ExactSearch.topK(same, new float[] {1, 0}, 2, null));
  }

  @Test
  void theParallelVariantMatchesOneQueryAtATime() {
    int[][] all = ExactSearch.topK(ITEMS, QUERIES, 50, null);
    for (int q = 0; q < QUERIES.length; q++) {
      assertArrayEquals(ExactSearch.topK(ITEMS, QUERIES[q], 50, null), all[q]);
    }
  }
}
