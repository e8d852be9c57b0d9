package dev.freshet.actors.retrieval;

import java.util.Arrays;

/**
 * An index's answer: dense ids best first and their cosine similarity to the query ({@code
 * scores[i]} for {@code denseIds[i]}, in [-1, 1]).
 */
public record Neighbours(int[] denseIds, float[] scores) {

  private static final Neighbours NONE = new Neighbours(new int[0], new float[0]);

  public Neighbours {
    if (denseIds.length != scores.length)
      throw new IllegalArgumentException("one score per dense id");
  }

  public static Neighbours none() {
    return NONE;
  }

  public int size() {
    return denseIds.length;
  }

  /** The first {@code k} of these. */
  public Neighbours limit(int k) {
    if (k >= denseIds.length) return this;
    return new Neighbours(Arrays.copyOf(denseIds, k), Arrays.copyOf(scores, k));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Neighbours n
        && Arrays.equals(denseIds, n.denseIds)
        && Arrays.equals(scores, n.scores);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(denseIds) + Arrays.hashCode(scores);
  }

  @Override
  public String toString() {
    return "Neighbours" + Arrays.toString(denseIds);
  }
}
