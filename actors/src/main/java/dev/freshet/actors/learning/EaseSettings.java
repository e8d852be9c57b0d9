package dev.freshet.actors.learning;

import com.typesafe.config.Config;

/**
 * {@code freshet.learning.ease}: item-to-item weights ({@link EaseModel}).
 *
 * @param lambda the ridge added to {@code XᵀX}'s diagonal
 * @param maxItems the items with most users modelled (the inverse costs {@code maxItems³} and
 *     {@code maxItems²} memory)
 */
public record EaseSettings(double lambda, int maxItems) {

  public EaseSettings {
    if (!(lambda > 0))
      throw new IllegalArgumentException("freshet.learning.ease.lambda must be > 0");
    if (maxItems < 1 || maxItems > 20_000)
      throw new IllegalArgumentException("freshet.learning.ease.max-items must be 1..20000");
  }

  /** As a model version records them. */
  public String describe() {
    return String.format(java.util.Locale.ROOT, "lambda=%s max-items=%d", lambda, maxItems);
  }

  public static EaseSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.learning.ease");
    return new EaseSettings(c.getDouble("lambda"), c.getInt("max-items"));
  }
}
