package dev.freshet.actors.catalog;

import java.util.Locale;
import java.util.Optional;

/** Lifecycle of an item: only {@code ACTIVE} items are in the pool that users are served from. */
public enum ItemStatus {
  ACTIVE,
  ARCHIVED,
  FLAGGED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ItemStatus> fromWire(String s) {
    for (ItemStatus status : values()) {
      if (status.wire().equals(s)) return Optional.of(status);
    }
    return Optional.empty();
  }
}
