package dev.freshet.streams.readmodel;

import java.time.Instant;

/**
 * Where one projection stands: its committed journal offset, how far behind the journal it is (the
 * age of the oldest event it has not committed, 0 when caught up), events waiting (the journal
 * orderings up to its tag's newest event: an upper bound, see PipelineMonitor), throughput over the
 * last sampling interval, totals (rows written, events skipped, events set aside as dead letters,
 * batches), and its last error.
 */
public record PipelineStatus(
    String projection,
    String tag,
    long offset,
    double lagSeconds,
    long pendingEvents,
    double rowsPerSecond,
    long rowsTotal,
    long skippedTotal,
    long deadLettersTotal,
    long batchesTotal,
    Instant lastEventAt,
    Instant updatedAt,
    String lastError,
    Instant lastErrorAt) {

  /** Healthy unless the last error is newer than the last committed batch. */
  public boolean healthy() {
    return lastErrorAt == null || (updatedAt != null && updatedAt.isAfter(lastErrorAt));
  }
}
