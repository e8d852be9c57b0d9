package dev.freshet.actors.ranking;

/**
 * Where a ranking's candidate came from, as {@code explain=true} names it. A ranking over a small
 * pool scores every unseen item ({@link #POOL}); over a large one it scores the union of the other
 * sources, each bounded ({@code freshet.ranking.retrieval}).
 */
public enum CandidateSource {
  /** Every unseen active item of the request's pool was scored. */
  POOL("pool"),
  /** A nearest neighbour of the user vector in the vector index. */
  VECTOR("vector"),
  /** A nearest neighbour of the current session's items. */
  SESSION("session"),
  /** Among the items the user's collaborative-filtering vector scores highest. */
  CF("cf"),
  /** Among the best of one of the user's strongest categories. */
  CATEGORY("category"),
  /** Among the best of the pool by popularity, trending and freshness. */
  POPULAR("popular"),
  /** Among the newest items. */
  FRESH("fresh"),
  /** An under-exposed item (no recent interaction), drawn for exploration. */
  EXPLORATION("exploration"),
  /** A pinned item. */
  PINNED("pinned");

  private final String key;

  CandidateSource(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  int bit() {
    return 1 << ordinal();
  }

  /** The sources in a mask of {@link #bit}s, in declaration order. */
  static java.util.List<String> keys(int mask) {
    java.util.List<String> out = new java.util.ArrayList<>(2);
    for (CandidateSource s : values()) if ((mask & s.bit()) != 0) out.add(s.key);
    return out;
  }
}
