package dev.freshet.actors.learning;

import java.util.Arrays;
import java.util.Random;

/** Percentile bootstrap intervals of a mean: resamples with replacement, deterministic per seed. */
public final class Bootstrap {

  /** A mean and its interval. */
  public record Interval(double mean, double low, double high) {
    @Override
    public String toString() {
      return String.format("%.4f [%.4f, %.4f]", mean, low, high);
    }
  }

  private Bootstrap() {}

  /** The mean of {@code values} and its 95 % interval from {@code resamples} resamples. */
  public static Interval mean(double[] values, int resamples, long seed) {
    if (values.length == 0) return new Interval(0, 0, 0);
    double mean = Arrays.stream(values).average().orElse(0);
    Random random = new Random(seed);
    double[] means = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double sum = 0;
      for (int k = 0; k < values.length; k++) sum += values[random.nextInt(values.length)];
      means[r] = sum / values.length;
    }
    Arrays.sort(means);
    int low = (int) Math.floor(0.025 * (resamples - 1)),
        high = (int) Math.ceil(0.975 * (resamples - 1));
    return new Interval(mean, means[low], means[high]);
  }
}
