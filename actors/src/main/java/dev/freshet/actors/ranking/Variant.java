package dev.freshet.actors.ranking;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * One arm of an A/B test: its name, its share of users (percent) and its feature weights, with
 * optional overrides per category (e.g. news weighs freshness more), and whether it may retrieve
 * candidates over a large pool ({@code retrieval = off} scores the whole pool: to A/B test
 * retrieval itself against the full scan), and the trained model version it ranks with ({@code
 * model}: pinned for an A/B test of models; empty for whichever version is promoted).
 */
public record Variant(
    String name,
    int share,
    double[] weights,
    Map<String, double[]> categoryWeights,
    boolean retrieval,
    java.util.Optional<Long> model) {

  public Variant(String name, int share, double[] weights, Map<String, double[]> categoryWeights) {
    this(name, share, weights, categoryWeights, true, java.util.Optional.empty());
  }

  public Variant {
    model = model == null ? java.util.Optional.empty() : model;
    // a HashMap: looked up once per candidate of every ranking
    categoryWeights = Collections.unmodifiableMap(new HashMap<>(categoryWeights));
  }

  /** The weights that apply to an item of {@code category}. */
  public double[] weightsFor(String category) {
    return categoryWeights.isEmpty() ? weights : categoryWeights.getOrDefault(category, weights);
  }
}
