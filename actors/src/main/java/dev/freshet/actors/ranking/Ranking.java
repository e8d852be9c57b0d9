package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.List;

/**
 * One answer to "what next" for a user; {@code degraded} says why it was ranked without its vector
 * index (slow, down, building), {@code null} when it was not.
 */
public record Ranking(String rankingId, String variant, List<RankedItem> items, String degraded)
    implements CborSerializable {

  public Ranking(String rankingId, String variant, List<RankedItem> items) {
    this(rankingId, variant, items, null);
  }
}
