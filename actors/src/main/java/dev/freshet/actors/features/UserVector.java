package dev.freshet.actors.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The decayed weighted mean of the embeddings of items the user engaged with: a running sum and a
 * running weight, both decayed to the time of the latest update, so the mean is O(dimension) to
 * update and to read, and old tastes fade at the affinity half-life.
 */
public final class UserVector {

  private float[] sum;
  private double weight;
  private long at;

  public UserVector() {
    this(null, 0.0, 0L);
  }

  @JsonCreator
  public UserVector(
      @JsonProperty("sum") float[] sum,
      @JsonProperty("weight") double weight,
      @JsonProperty("at") long at) {
    this.sum = sum;
    this.weight = weight;
    this.at = at;
  }

  /**
   * Adds an engaged item's embedding with a positive weight at event time {@code now}: the sums
   * decay to it when it is later than their time; a late event's weight decays to their time
   * instead, so the order in which events arrive does not change the mean.
   */
  public void add(float[] embedding, double w, long now, long halfLifeMillis) {
    if (embedding == null || w <= 0) return;
    if (sum == null || sum.length != embedding.length) {
      sum = new float[embedding.length];
      weight = 0.0;
    }
    double decay = Decay.factor(at, now, halfLifeMillis);
    double late = w * Decay.factor(now, at, halfLifeMillis);
    for (int d = 0; d < sum.length; d++) sum[d] = (float) (sum[d] * decay + late * embedding[d]);
    weight = weight * decay + late;
    at = Math.max(at, now);
  }

  /** The mean, or {@code null} when the user has engaged with no item that has an embedding. */
  public float[] mean() {
    if (sum == null || weight <= 0) return null;
    float[] mean = new float[sum.length];
    for (int d = 0; d < sum.length; d++) mean[d] = (float) (sum[d] / weight);
    return mean;
  }

  @JsonProperty("sum")
  float[] sum() {
    return sum;
  }

  @JsonProperty("weight")
  double weight() {
    return weight;
  }

  @JsonProperty("at")
  long at() {
    return at;
  }
}
