package dev.freshet.actors.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * What a user's collaborative-filtering vector is folded in from: each item the user acted on with
 * the sum of its interactions' weights ({@link SignalWeights}, as training weighs them), for the
 * {@code capacity} items acted on most recently. Bounded so that a fold-in stays a small solve
 * however long the user's history; the oldest item leaves first. Arrays in recency order (most
 * recent last), searched linearly: a few hundred entries, touched once per interaction.
 */
public final class ItemWeights {

  private int[] items;
  private float[] weights;
  private int size;

  /** Bumped by every change, so that a cached fold-in knows it is stale (not stored). */
  @JsonIgnore private long changes;

  public ItemWeights() {
    this(new int[0], new float[0]);
  }

  @JsonCreator
  public ItemWeights(@JsonProperty("items") int[] items, @JsonProperty("weights") float[] weights) {
    int n = Math.min(items == null ? 0 : items.length, weights == null ? 0 : weights.length);
    this.items = n == 0 ? new int[8] : Arrays.copyOf(items, Math.max(8, n));
    this.weights = n == 0 ? new float[8] : Arrays.copyOf(weights, Math.max(8, n));
    this.size = n;
  }

  /**
   * Adds {@code weight} to the item's and makes it the most recent; a zero weight changes nothing.
   */
  public void add(int item, double weight, int capacity) {
    if (weight == 0.0 || capacity <= 0) return;
    float sum = (float) weight;
    int at = indexOf(item);
    if (at >= 0) {
      sum += weights[at];
      remove(at);
    }
    while (size >= capacity) remove(0);
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
      weights = Arrays.copyOf(weights, size * 2);
    }
    items[size] = item;
    weights[size++] = sum;
    changes++;
  }

  public int size() {
    return size;
  }

  /** How many changes this value has seen since it was created or recovered. */
  public long changes() {
    return changes;
  }

  /** The items, most recent last (a copy). */
  @JsonProperty("items")
  public int[] items() {
    return Arrays.copyOf(items, size);
  }

  /** The weights, in the order of {@link #items()} (a copy). */
  @JsonProperty("weights")
  public float[] weights() {
    return Arrays.copyOf(weights, size);
  }

  private int indexOf(int item) {
    for (int i = size - 1; i >= 0; i--) if (items[i] == item) return i;
    return -1;
  }

  private void remove(int at) {
    System.arraycopy(items, at + 1, items, at, size - at - 1);
    System.arraycopy(weights, at + 1, weights, at, size - at - 1);
    size--;
  }
}
