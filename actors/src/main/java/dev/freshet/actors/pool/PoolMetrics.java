package dev.freshet.actors.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool coordinator's figures on this node, written by the coordinator and read by the metrics
 * endpoint from any thread. Only the node hosting the singleton has current values. The counters
 * are the coordinator's journaled totals: a new incarnation (after a move or a restart) carries on
 * from the recovered ones, and on one node they never go down.
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

  /**
   * The coordinator's bookkeeping as it now stands: counters move to the totals unless this node
   * already showed more (signals buffered by an incarnation that died before journaling them).
   */
  void publish(PoolStatus.Totals totals, int atRisk, int waiting, int inFlight) {
    signals.accumulateAndGet(totals.signals(), Math::max);
    requests.accumulateAndGet(totals.requests(), Math::max);
    completed.accumulateAndGet(totals.completed(), Math::max);
    failed.accumulateAndGet(totals.failed(), Math::max);
    itemsGenerated.accumulateAndGet(totals.itemsGenerated(), Math::max);
    usersAtRisk = atRisk;
    demandWaiting = waiting;
    requestsInFlight = inFlight;
  }
}
