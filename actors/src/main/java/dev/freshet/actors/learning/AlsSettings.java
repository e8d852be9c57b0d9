package dev.freshet.actors.learning;

import com.typesafe.config.Config;

/**
 * {@code freshet.learning.als}: implicit-feedback matrix factorisation (Hu, Koren and Volinsky,
 * "Collaborative Filtering for Implicit Feedback Datasets", 2008).
 *
 * @param factors the latent dimension
 * @param iterations alternating passes (users, then items)
 * @param regularization λ, added to every row's normal equations
 * @param alpha confidence per unit of weight: a pair of weight {@code w} counts {@code 1 +
 *     alpha·|w|}
 * @param seed of the items' initial factors
 * @param threads rows solved in parallel (training shares the node's cores with serving)
 */
public record AlsSettings(
    int factors, int iterations, double regularization, double alpha, long seed, int threads) {

  public AlsSettings {
    if (factors < 1 || factors > 512)
      throw new IllegalArgumentException("freshet.learning.als.factors must be 1..512");
    if (iterations < 1) throw new IllegalArgumentException("freshet.learning.als.iterations >= 1");
    if (!(regularization > 0))
      throw new IllegalArgumentException("freshet.learning.als.regularization must be > 0");
    if (!(alpha >= 0))
      throw new IllegalArgumentException("freshet.learning.als.alpha must be >= 0");
    if (threads < 1)
      throw new IllegalArgumentException("freshet.learning.als.threads must be >= 1");
  }

  public static AlsSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.learning.als");
    return new AlsSettings(
        c.getInt("factors"),
        c.getInt("iterations"),
        c.getDouble("regularization"),
        c.getDouble("alpha"),
        c.getLong("seed"),
        c.getInt("threads"));
  }

  /** As a model version records them ({@link #parse} reads it back). */
  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "factors=%d iterations=%d regularization=%s alpha=%s seed=%d",
        factors,
        iterations,
        regularization,
        alpha,
        seed);
  }

  /** Settings from {@link #describe}'s text; empty if it is not such a text. */
  public static java.util.Optional<AlsSettings> parse(String text) {
    java.util.Map<String, String> values = new java.util.HashMap<>();
    for (String part : text.trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq > 0) values.put(part.substring(0, eq), part.substring(eq + 1));
    }
    try {
      return java.util.Optional.of(
          new AlsSettings(
              Integer.parseInt(values.get("factors")),
              Integer.parseInt(values.get("iterations")),
              Double.parseDouble(values.get("regularization")),
              Double.parseDouble(values.get("alpha")),
              Long.parseLong(values.get("seed")),
              1));
    } catch (RuntimeException notSettings) {
      return java.util.Optional.empty();
    }
  }

  public AlsSettings withThreads(int n) {
    return new AlsSettings(factors, iterations, regularization, alpha, seed, n);
  }
}
