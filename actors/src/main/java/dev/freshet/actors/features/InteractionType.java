package dev.freshet.actors.features;

import java.util.Locale;
import java.util.Optional;

/** What a user did with an item (SPEC.md, "Interaction"); {@code IMPRESSION} is being shown it. */
public enum InteractionType {
  IMPRESSION,
  CLICK,
  LIKE,
  DISLIKE,
  SKIP,
  FAVORITE,
  SHARE,
  PURCHASE,
  DWELL;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<InteractionType> fromWire(String s) {
    for (InteractionType type : values()) {
      if (type.wire().equals(s)) return Optional.of(type);
    }
    return Optional.empty();
  }
}
