package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.Optional;
import java.util.Set;

/**
 * What a caller asks of a ranking: how many items, optionally only from one category, never any of
 * {@code exclude} (item ids), and whether to return each item's score breakdown.
 */
public record RankingRequest(int k, Optional<String> category, Set<String> exclude, boolean explain)
    implements CborSerializable {

  public RankingRequest {
    exclude = Set.copyOf(exclude);
  }
}
