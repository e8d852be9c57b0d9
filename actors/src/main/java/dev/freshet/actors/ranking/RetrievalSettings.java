package dev.freshet.actors.ranking;

import com.typesafe.config.Config;

/**
 * {@code freshet.ranking.retrieval}: when a ranking scores a few hundred retrieved candidates
 * instead of the whole pool, and how many each source contributes at most.
 *
 * @param minPool below this many active items (of the request's category) every item is scored, as
 *     retrieval would save little and the full scan is exact
 * @param vector nearest neighbours of the user vector
 * @param session nearest neighbours of the current session's items
 * @param cf the items the user's collaborative-filtering vector scores highest
 * @param categories the user's strongest categories taken
 * @param perCategory the best of each such category (by popularity, trending and freshness)
 * @param popular the best of the request's pool by popularity, trending and freshness
 * @param fresh the newest of the pool
 * @param exploration under-exposed items (no recent interaction), drawn at random
 * @param reuseNeighboursMillis how long a user's vector neighbours are reused while the user's
 *     vector, session and request are unchanged (0: looked up for every ranking)
 */
public record RetrievalSettings(
    boolean enabled,
    int minPool,
    int vector,
    int session,
    int cf,
    int categories,
    int perCategory,
    int popular,
    int fresh,
    int exploration,
    long reuseNeighboursMillis) {

  public RetrievalSettings {
    if (reuseNeighboursMillis < 0)
      throw new IllegalArgumentException("freshet.ranking.retrieval.reuse-neighbours must be >= 0");
    for (int n :
        new int[] {
          minPool, vector, session, cf, categories, perCategory, popular, fresh, exploration
        })
      if (n < 0) throw new IllegalArgumentException("freshet.ranking.retrieval sizes must be >= 0");
  }

  /** Every ranking scores the whole pool. */
  public static RetrievalSettings fullScan() {
    return new RetrievalSettings(false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  static RetrievalSettings from(Config c) {
    return new RetrievalSettings(
        c.getBoolean("enabled"),
        c.getInt("min-pool"),
        c.getInt("vector"),
        c.getInt("session"),
        c.getInt("cf"),
        c.getInt("categories"),
        c.getInt("per-category"),
        c.getInt("popular"),
        c.getInt("fresh"),
        c.getInt("exploration"),
        c.getDuration("reuse-neighbours", java.util.concurrent.TimeUnit.MILLISECONDS));
  }
}
