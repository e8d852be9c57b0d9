package dev.freshet.actors.features;

/** Exponential time decay: a signal loses half its weight every {@code halfLifeMillis}. */
public final class Decay {
  private Decay() {}

  /**
   * The factor that carries a value from {@code fromMillis} to {@code toMillis} (1 if not later).
   */
  public static double factor(long fromMillis, long toMillis, long halfLifeMillis) {
    if (toMillis <= fromMillis) return 1.0;
    return Math.pow(0.5, (double) (toMillis - fromMillis) / halfLifeMillis);
  }
}
