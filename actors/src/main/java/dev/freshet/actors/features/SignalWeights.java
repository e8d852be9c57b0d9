package dev.freshet.actors.features;

import com.typesafe.config.Config;

/**
 * How much one interaction moves the user's affinity for the item's category and tags ({@code
 * freshet.features.signals}). Positive actions add, negative ones subtract; a dwell adds in
 * proportion to its length up to {@code dwellFullMillis}.
 */
public record SignalWeights(
    double click,
    double like,
    double favorite,
    double share,
    double purchase,
    double dwell,
    long dwellFullMillis,
    double dislike,
    double skip,
    double notInterested) {

  public static SignalWeights fromConfig(Config c) {
    return new SignalWeights(
        c.getDouble("click"),
        c.getDouble("like"),
        c.getDouble("favorite"),
        c.getDouble("share"),
        c.getDouble("purchase"),
        c.getDouble("dwell"),
        c.getDuration("dwell-full").toMillis(),
        c.getDouble("dislike"),
        c.getDouble("skip"),
        c.getDouble("not-interested"));
  }

  /** The affinity change of {@code i}. */
  public double affinityDelta(Interaction i) {
    return affinityDelta(i.type(), i.intent(), i.value());
  }

  /**
   * The affinity change of one interaction. A negative action with a situational intent (bad
   * timing, already done, too far, free text) changes nothing; with {@code not_interested} it
   * counts at least as much as {@code notInterested}. {@code valueMillis}, a dwell's length, counts
   * as 0 when absent.
   */
  public double affinityDelta(InteractionType type, String intent, Long valueMillis) {
    long dwelt = valueMillis == null ? 0 : valueMillis;
    double base =
        switch (type) {
          case IMPRESSION -> 0.0;
          case CLICK -> click;
          case LIKE -> like;
          case FAVORITE -> favorite;
          case SHARE -> share;
          case PURCHASE -> purchase;
          case DWELL -> dwell * Math.min(1.0, Math.max(0L, dwelt) / (double) dwellFullMillis);
          case DISLIKE -> dislike;
          case SKIP -> skip;
        };
    if (type != InteractionType.SKIP && type != InteractionType.DISLIKE) return base;
    if (Intent.aboutTaste(intent)) return Math.min(base, notInterested);
    if (Intent.situational(intent)) return 0.0;
    return base;
  }
}
