package dev.freshet.actors.features;

import dev.freshet.actors.CborSerializable;
import java.util.List;

/**
 * One interaction as journaled: the item (dense id) with the category and tags it had when the user
 * acted on it, so that replaying the journal rebuilds the same affinities even if the item changes
 * later. Optional parts are {@code null}: {@code intent}, {@code value} (dwell ms),
 * {@code rankingId}, {@code position}.
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
}
