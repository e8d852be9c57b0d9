package dev.freshet.actors.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool coordinator's figures on this node, written by the coordinator and read by the metrics
 * endpoint from any thread. Only the node hosting the singleton has non-zero values; counters start
 * from zero when the singleton moves.
 */
public final class PoolMetrics {

  final AtomicLong signals = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong completed = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong itemsGenerated = new AtomicLong();
  volatile int usersAtRisk;
  volatile int demandWaiting;
  volatile int requestsInFlight;

  public long signals() {
    return signals.get();
  }

  public long requests() {
    return requests.get();
  }

  public long completed() {
    return completed.get();
  }

  public long failed() {
    return failed.get();
  }

  public long itemsGenerated() {
    return itemsGenerated.get();
  }

  public int usersAtRisk() {
    return usersAtRisk;
  }

  public int demandWaiting() {
    return demandWaiting;
  }

  public int requestsInFlight() {
    return requestsInFlight;
  }

  PoolStatus.Totals totals() {
    return new PoolStatus.Totals(signals(), requests(), completed(), failed(), itemsGenerated());
  }
}
