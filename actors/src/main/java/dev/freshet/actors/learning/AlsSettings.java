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

  public AlsSettings withThreads(int n) {
    return new AlsSettings(factors, iterations, regularization, alpha, seed, n);
  }
}
