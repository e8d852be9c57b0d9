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
    boolean replay,
    Optional<Long> asOf)
    implements CborSerializable {

  public RankingRequest {
    exclude = Set.copyOf(exclude);
    asOf = asOf == null ? Optional.empty() : asOf;
  }

  public RankingRequest(
      int k,
      Optional<String> category,
      Set<String> exclude,
      boolean explain,
      Optional<String> variant) {
    this(k, category, exclude, explain, variant, false, Optional.empty());
  }

  /**
   * The same request ranked as of {@code asOfMillis} (evaluation only: the user's features decay to
   * that time) instead of the node's clock.
   */
  public RankingRequest asOf(long asOfMillis) {
    return new RankingRequest(
        k, category, exclude, explain, variant, replay, Optional.of(asOfMillis));
  }

  /** The time the ranking is as of: {@link #asOf()} if set, else {@code clock}'s. */
  public long timeOr(long clockMillis) {
    return asOf.orElse(clockMillis);
  }

  public RankingRequest(int k, Optional<String> category, Set<String> exclude, boolean explain) {
    this(k, category, exclude, explain, Optional.empty());
  }

  /** Replay: the best {@code k} items the user has seen, optionally of one category. */
  public static RankingRequest replay(int k, Optional<String> category) {
    return new RankingRequest(
        k, category, Set.of(), false, Optional.empty(), true, Optional.empty());
  }
}
