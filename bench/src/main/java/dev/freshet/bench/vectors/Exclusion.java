package dev.freshet.bench.vectors;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * A set of excluded items (a user's seen items, inactive items) as the filters of the comparison
 * use it: exactly {@code round(fraction × n)} items, chosen uniformly at random for a seed.
 */
public final class Exclusion {

  private final BitSet excluded;
  private final double fraction;

  private Exclusion(BitSet excluded, double fraction) {
    this.excluded = excluded;
    this.fraction = fraction;
  }

  public static Exclusion random(int n, double fraction, long seed) {
    int count = (int) Math.round(fraction * n);
    // partial Fisher-Yates: the first `count` of a random permutation
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    BitSet excluded = new BitSet(n);
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(n - i);
      int t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
      excluded.set(ids[i]);
    }
    return new Exclusion(excluded, fraction);
  }

  /** The predicate the indexes get: true for an item that may be returned. */
  public IntPredicate allowed() {
    BitSet bits = excluded;
    return id -> !bits.get(id);
  }

  public int excludedCount() {
    return excluded.cardinality();
  }

  public double fraction() {
    return fraction;
  }
}
