package dev.freshet.actors.features;

import dev.freshet.actors.CborSerializable;
import java.util.List;

/**
 * One interaction: the item (dense id), what happened, when, and the optional {@code intent},
 * {@code value} (dwell ms), {@code rankingId} and {@code position} ({@code null} when absent). As
 * journaled it also carries the category and tags the item had when the user acted on it, so that
 * replaying the journal rebuilds the same affinities even if the item changes later; as sent to the
 * user entity those are still {@code null} and empty.
 */
public record Interaction(
    int itemId,
    InteractionType type,
    long at,
    String intent,
    Long value,
    String rankingId,
    Integer position,
    String category,
    List<String> tags)
    implements CborSerializable {

  public Interaction {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** An interaction not yet tied to the item's category and tags. */
  public Interaction(
      int itemId,
      InteractionType type,
      long at,
      String intent,
      Long value,
      String rankingId,
      Integer position) {
    this(itemId, type, at, intent, value, rankingId, position, null, List.of());
  }

  /** This interaction with the item's category and tags, as the journal keeps it. */
  public Interaction withItem(String category, List<String> tags) {
    return new Interaction(itemId, type, at, intent, value, rankingId, position, category, tags);
  }
}
