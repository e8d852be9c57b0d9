package dev.freshet.actors.features;

/**
 * Why a user did what they did (SPEC.md, "Interaction"). Only {@code not_interested} speaks about
 * taste; the situational intents ({@code bad_timing}, {@code already_done}, {@code too_far}) and
 * free text say the moment was wrong, not the item, so they must not lower affinity.
 */
public final class Intent {
  public static final String NOT_INTERESTED = "not_interested";
  public static final String BAD_TIMING = "bad_timing";
  public static final String ALREADY_DONE = "already_done";
  public static final String TOO_FAR = "too_far";

  public static final int MAX_LENGTH = 64;

  private Intent() {}

  /** True when the intent is about the item or its kind, not about the moment. */
  public static boolean aboutTaste(String intent) {
    return NOT_INTERESTED.equals(intent);
  }

  /**
   * True when the user gave a reason that excuses a negative action (any reason but
   * not_interested).
   */
  public static boolean situational(String intent) {
    return intent != null && !aboutTaste(intent);
  }

  /** The counter an intent is kept under: the known ones by name, free text as "other". */
  public static String bucket(String intent) {
    return switch (intent) {
      case NOT_INTERESTED, BAD_TIMING, ALREADY_DONE, TOO_FAR -> intent;
      default -> "other";
    };
  }
}
