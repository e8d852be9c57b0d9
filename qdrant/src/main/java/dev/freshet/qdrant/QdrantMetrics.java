package dev.freshet.qdrant;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the Qdrant index and its catalog sync count, as plain getters for the node's /metrics
 * (counters only ever grow; gauges are marked as such). Thread-safe and cheap to read.
 */
public final class QdrantMetrics {

  final LongAdder upsertedPoints = new LongAdder();
  final LongAdder deletedPoints = new LongAdder();
  final LongAdder batches = new LongAdder();
  final LongAdder failedBatches = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder skippedItems = new LongAdder();
  final LongAdder searches = new LongAdder();
  final LongAdder searchFailures = new LongAdder();
  final LongAdder searchTimeouts = new LongAdder();
  final LongAdder searchesRejectedByBreaker = new LongAdder();
  final LongAdder searchLatencyNanos = new LongAdder();
  final LongAdder hitsDroppedByPostFilter = new LongAdder();
  final AtomicLong lastSearchLatencyNanos = new AtomicLong();

  /** Points written by upserts (an item re-upserted counts again). */
  public long upsertedPoints() {
    return upsertedPoints.sum();
  }

  /** Points deleted because their item lost its embedding (or got one of the wrong dimension). */
  public long deletedPoints() {
    return deletedPoints.sum();
  }

  /** Write batches that succeeded. */
  public long batches() {
    return batches.sum();
  }

  /** Write attempts that failed (each is retried until it succeeds). */
  public long failedBatches() {
    return failedBatches.sum();
  }

  /** Writes retried after a failure (batches and collection set-up). */
  public long retries() {
    return retries.sum();
  }

  /** Items not indexed: embedding of the wrong dimension, zero or not finite. */
  public long skippedItems() {
    return skippedItems.sum();
  }

  /** Searches sent to Qdrant (answered, failed or timed out). */
  public long searches() {
    return searches.sum();
  }

  /** Searches that failed, timeouts included. */
  public long searchFailures() {
    return searchFailures.sum();
  }

  /** Searches that failed because they passed the request timeout. */
  public long searchTimeouts() {
    return searchTimeouts.sum();
  }

  /** Searches not sent because the circuit breaker was open. */
  public long searchesRejectedByBreaker() {
    return searchesRejectedByBreaker.sum();
  }

  /** Total time of the searches sent, in nanoseconds (divide by {@link #searches()}). */
  public long searchLatencyNanos() {
    return searchLatencyNanos.sum();
  }

  /** Gauge: the latest search's time, in nanoseconds. */
  public long lastSearchLatencyNanos() {
    return lastSearchLatencyNanos.get();
  }

  /**
   * Hits Qdrant answered that the node's catalog snapshot refused (Qdrant behind the node, or the
   * excluded ids beyond {@code max-excluded-ids}).
   */
  public long hitsDroppedByPostFilter() {
    return hitsDroppedByPostFilter.sum();
  }

  void searched(long nanos) {
    searches.increment();
    searchLatencyNanos.add(nanos);
    lastSearchLatencyNanos.set(nanos);
  }
}
