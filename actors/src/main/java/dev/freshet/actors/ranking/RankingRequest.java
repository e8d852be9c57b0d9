package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.Optional;
import java.util.Set;

/**
 * What a caller asks of a ranking: how many items, optionally only from one category, never any of
 * {@code exclude} (item ids), whether to return each item's score breakdown, and optionally a named
 * variant to rank with instead of the user's own (for evaluation and debugging; the shadow variant's
 * name is allowed too).
 */
public record RankingRequest(
    int k, Optional<String> category, Set<String> exclude, boolean explain, Optional<String> variant)
    implements CborSerializable {

  public RankingRequest {
    exclude = Set.copyOf(exclude);
  }

  public RankingRequest(int k, Optional<String> category, Set<String> exclude, boolean explain) {
    this(k, category, exclude, explain, Optional.empty());
  }
}
