package dev.freshet.actors.popularity;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's view of cluster-wide popularity: the latest {@link PopularityBoard}, replaced as
 * windows of deltas arrive from every node. Readers never block.
 */
public final class Popularity {

  private final long halfLifeMillis;
  private final AtomicReference<PopularityBoard> board =
      new AtomicReference<>(PopularityBoard.empty());
  private final AtomicLong signals = new AtomicLong();

  public Popularity(long halfLifeMillis) {
    this.halfLifeMillis = halfLifeMillis;
  }

  public PopularityBoard board() {
    return board.get();
  }

  /** Adds a window of deltas (from any node). Called by one actor only, so never concurrently. */
  public void apply(PopularityDeltas deltas) {
    board.set(board.get().merge(deltas, halfLifeMillis));
    signals.addAndGet(deltas.signals());
  }

  /**
   * Interactions the board holds, from every node: a node's own count of recorded signals is
   * reached once all of them are on its board (what a deterministic replay waits for).
   */
  public long signals() {
    return signals.get();
  }

  public long halfLifeMillis() {
    return halfLifeMillis;
  }
}
