package dev.freshet.actors.retrieval;

import java.util.Arrays;

/**
 * A {@link FactorIndex}'s answer: dense ids best first and their dot product with the user's factor
 * vector ({@code scores[i]} for {@code denseIds[i]}). Unlike {@link Neighbours}, whose scores are
 * cosines in [-1, 1], these are unbounded CF scores.
 */
public record ScoredItems(int[] denseIds, float[] scores) {

  private static final ScoredItems NONE = new ScoredItems(new int[0], new float[0]);

  public ScoredItems {
    if (denseIds.length != scores.length)
      throw new IllegalArgumentException("one score per dense id");
  }

  public static ScoredItems none() {
    return NONE;
  }

  /** BestK's answer, with its arrays (not copies). */
  static ScoredItems of(Neighbours drained) {
    return drained.size() == 0 ? NONE : new ScoredItems(drained.denseIds(), drained.scores());
  }

  public int size() {
    return denseIds.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ScoredItems s
        && Arrays.equals(denseIds, s.denseIds)
        && Arrays.equals(scores, s.scores);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(denseIds) + Arrays.hashCode(scores);
  }

  @Override
  public String toString() {
    return "ScoredItems" + Arrays.toString(denseIds);
  }
}
