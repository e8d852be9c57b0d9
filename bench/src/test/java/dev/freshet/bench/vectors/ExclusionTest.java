package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExclusionTest {

  private static long allowedCount(IntPredicate allowed, int n) {
    return IntStream.range(0, n).filter(allowed).count();
  }

  private static String pattern(IntPredicate allowed, int n) {
    StringBuilder s = new StringBuilder();
    IntStream.range(0, n).forEach(i -> s.append(allowed.test(i) ? '1' : '0'));
    return s.toString();
  }

  @Test
  void excludesExactlyTheFractionAsked() {
    assertEquals(100, Exclusion.random(1_000, 0.1, 1).excludedCount());
    assertEquals(900, allowedCount(Exclusion.random(1_000, 0.1, 1).allowed(), 1_000));
    assertEquals(500, allowedCount(Exclusion.random(1_000, 0.5, 1).allowed(), 1_000));
  }

  @Test
  void isDeterministicBySeed() {
    assertEquals(
        pattern(Exclusion.random(500, 0.5, 3).allowed(), 500),
        pattern(Exclusion.random(500, 0.5, 3).allowed(), 500));
    assertNotEquals(
        pattern(Exclusion.random(500, 0.5, 3).allowed(), 500),
        pattern(Exclusion.random(500, 0.5, 4).allowed(), 500));
  }
}
