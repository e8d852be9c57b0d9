package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.Optional;
import java.util.Set;

/**
 * What a caller asks of a ranking: how many items, optionally only from one category, never any of
 * {@code exclude} (item ids), whether to return each item's score breakdown, optionally a named
 * variant to rank with instead of the user's own (for evaluation and debugging; the shadow
 * variant's name is allowed too), and whether this is a replay: ranking the items the user has
 * already seen instead of the unseen ones.
 */
public record RankingRequest(
    int k,
    Optional<String> category,
    Set<String> exclude,
    boolean explain,
    Optional<String> variant,
    boolean replay)
    implements CborSerializable {

  public RankingRequest {
    exclude = Set.copyOf(exclude);
  }

  public RankingRequest(
      int k,
      Optional<String> category,
      Set<String> exclude,
      boolean explain,
      Optional<String> variant) {
    this(k, category, exclude, explain, variant, false);
  }

  public RankingRequest(int k, Optional<String> category, Set<String> exclude, boolean explain) {
    this(k, category, exclude, explain, Optional.empty());
  }

  /** Replay: the best {@code k} items the user has seen, optionally of one category. */
  public static RankingRequest replay(int k, Optional<String> category) {
    return new RankingRequest(k, category, Set.of(), false, Optional.empty(), true);
  }
}
