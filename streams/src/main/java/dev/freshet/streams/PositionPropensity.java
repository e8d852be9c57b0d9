package dev.freshet.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Position bias estimated from click-through by position, for inverse-propensity weighting of
 * training rows: a click at position 5 is stronger evidence of relevance than one at position 1,
 * because fewer users look that far down.
 *
 * <p>{@code propensity(p) = ctr(p) / ctr(1)}: position 1 is the reference, assumed always looked
 * at. This simple estimator also credits to position whatever relevance the ranker put on top, so
 * it over-corrects somewhat; it is still far better than no correction, and needs no randomised
 * traffic. Propensities are clipped to {@code [1/maxWeight, 1]}, so {@code weight = 1/propensity}
 * stays within {@code [1, maxWeight]}: a deep, rarely clicked position would otherwise get a huge
 * weight and its few rows would dominate the variance.
 *
 * <p>The edge cases, deliberately:
 *
 * <ul>
 *   <li>a position shown but never clicked, or never shown at all, has an estimated CTR of 0 and so
 *       gets the floor {@code 1/maxWeight} (weight {@code maxWeight});
 *   <li>a position clicked more often than position 1 is clipped to 1 (weight 1);
 *   <li>when position 1 was never shown or never clicked there is no reference to divide by: every
 *       propensity is 1 (weight 1, no correction) rather than a guess.
 * </ul>
 *
 * Positions are 1-based as served; any other value a client sent (such as 0) is estimated the same
 * way, relative to position 1.
 */
public final class PositionPropensity {

  public static final double DEFAULT_MAX_WEIGHT = 20;

  /** One position's counts and estimate, for reporting. */
  public record Row(
      int position, long shown, long clicked, double ctr, double propensity, double weight) {}

  /** Collects (position, clicked) observations. */
  public static final class Builder {
    private final double maxWeight;
    private final Map<Integer, long[]> counts = new TreeMap<>(); // position -> {shown, clicked}

    private Builder(double maxWeight) {
      if (!(maxWeight >= 1))
        throw new IllegalArgumentException("maxWeight must be >= 1: " + maxWeight);
      this.maxWeight = maxWeight;
    }

    /** One item shown at {@code position}, clicked or not. */
    public Builder add(int position, boolean clicked) {
      return add(position, 1, clicked ? 1 : 0);
    }

    /** {@code shown} items at {@code position}, {@code clicked} of them clicked (an aggregate). */
    public Builder add(int position, long shown, long clicked) {
      if (shown < 0 || clicked < 0 || clicked > shown) {
        throw new IllegalArgumentException("need 0 <= clicked <= shown: " + clicked + "/" + shown);
      }
      long[] c = counts.computeIfAbsent(position, p -> new long[2]);
      c[0] += shown;
      c[1] += clicked;
      return this;
    }

    public PositionPropensity build() {
      Map<Integer, long[]> copy = new TreeMap<>();
      counts.forEach((p, c) -> copy.put(p, c.clone()));
      return new PositionPropensity(maxWeight, copy);
    }
  }

  public static Builder builder() {
    return new Builder(DEFAULT_MAX_WEIGHT);
  }

  public static Builder builder(double maxWeight) {
    return new Builder(maxWeight);
  }

  private final double maxWeight;
  private final Map<Integer, long[]> counts;
  private final double referenceCtr; // ctr(1), or 0 when there is no reference

  private PositionPropensity(double maxWeight, Map<Integer, long[]> counts) {
    this.maxWeight = maxWeight;
    this.counts = counts;
    this.referenceCtr = ctr(1);
  }

  private double ctr(int position) {
    long[] c = counts.get(position);
    return c == null || c[0] == 0 ? 0 : (double) c[1] / c[0];
  }

  /**
   * The estimated probability that an item at {@code position} is looked at, relative to position
   * 1.
   */
  public double propensity(int position) {
    if (referenceCtr == 0) return 1;
    return Math.min(1, Math.max(1 / maxWeight, ctr(position) / referenceCtr));
  }

  /** The inverse propensity, in {@code [1, maxWeight]}. */
  public double weight(int position) {
    return 1 / propensity(position);
  }

  /** Every observed position, in order. */
  public List<Row> table() {
    List<Row> rows = new ArrayList<>();
    counts.forEach((p, c) -> rows.add(new Row(p, c[0], c[1], ctr(p), propensity(p), weight(p))));
    return rows;
  }
}
