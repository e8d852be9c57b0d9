package dev.freshet.actors.ranking;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * One arm of an A/B test: its name, its share of users (percent) and its feature weights, with
 * optional overrides per category (e.g. news weighs freshness more).
 */
public record Variant(
    String name, int share, double[] weights, Map<String, double[]> categoryWeights) {

  public Variant {
    // a HashMap: looked up once per candidate of every ranking
    categoryWeights = Collections.unmodifiableMap(new HashMap<>(categoryWeights));
  }

  /** The weights that apply to an item of {@code category}. */
  public double[] weightsFor(String category) {
    return categoryWeights.isEmpty() ? weights : categoryWeights.getOrDefault(category, weights);
  }
}
