package dev.freshet.actors.popularity;

import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's view of cluster-wide popularity: the latest {@link PopularityBoard}, replaced as
 * windows of deltas arrive from every node. Readers never block.
 */
public final class Popularity {

  private final long halfLifeMillis;
  private final AtomicReference<PopularityBoard> board =
      new AtomicReference<>(PopularityBoard.empty());

  public Popularity(long halfLifeMillis) {
    this.halfLifeMillis = halfLifeMillis;
  }

  public PopularityBoard board() {
    return board.get();
  }

  /** Adds a window of deltas (from any node). Called by one actor only, so never concurrently. */
  public void apply(PopularityDeltas deltas) {
    board.set(board.get().merge(deltas, halfLifeMillis));
  }

  public long halfLifeMillis() {
    return halfLifeMillis;
  }
}
