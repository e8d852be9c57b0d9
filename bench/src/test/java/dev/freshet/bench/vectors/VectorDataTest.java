package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VectorDataTest {

  @Test
  void theSameSeedGivesTheSameDataAndAnotherSeedOtherData() {
    VectorData a = VectorData.generate(500, 20, 16, 10, 7);
    VectorData b = VectorData.generate(500, 20, 16, 10, 7);
    VectorData c = VectorData.generate(500, 20, 16, 10, 8);
    assertTrue(Arrays.deepEquals(a.items(), b.items()));
    assertTrue(Arrays.deepEquals(a.queries(), b.queries()));
    assertFalse(Arrays.deepEquals(a.items(), c.items()));
    assertFalse(Arrays.deepEquals(a.queries(), c.queries()));
  }

  @Test
  void queriesOfASeedDoNotDependOnTheNumberOfItems() {
    VectorData small = VectorData.generate(100, 20, 16, 10, 7);
    VectorData large = VectorData.generate(1_000, 20, 16, 10, 7);
    assertTrue(Arrays.deepEquals(small.queries(), large.queries()));
  }

  @Test
  void vectorsHaveTheSizeAskedForAndUnitLength() {
    VectorData d = VectorData.generate(300, 40, 16, 10, 1);
    assertEquals(300, d.items().length);
    assertEquals(40, d.queries().length);
    assertEquals(16, d.dim());
    for (float[] v : d.items()) {
      assertEquals(16, v.length);
      assertEquals(1.0, ExactSearch.dot(v, v), 1e-5);
    }
    for (float[] v : d.queries()) {
      assertEquals(1.0, ExactSearch.dot(v, v), 1e-5);
    }
  }

  @Test
  void itemsClusterAroundFewCentres() {
    // with 5 centres among 1,000 items, an item's nearest neighbour is in its own cluster (cosine
    // ≈ 0.6 at noise 0.8), far above the ≈ 0.25 typical of the nearest of 5 random 16-d directions
    VectorData d = VectorData.generate(1_000, 1, 16, 5, 3);
    double sum = 0;
    for (int i = 0; i < 100; i++) {
      float best = -1;
      for (int j = 0; j < d.items().length; j++) {
        if (j != i) {
          best = Math.max(best, ExactSearch.dot(d.items()[i], d.items()[j]));
        }
      }
      sum += best;
    }
    assertTrue(sum / 100 > 0.7, "mean nearest-neighbour cosine " + sum / 100);
  }

  @Test
  void normaliseScalesToUnitLength() {
    assertArrayEquals(new float[] {0.6f, 0.8f}, VectorData.normalise(new float[] {3, 4}), 1e-6f);
  }
}
