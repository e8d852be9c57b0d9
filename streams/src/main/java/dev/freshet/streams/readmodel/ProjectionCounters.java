package dev.freshet.streams.readmodel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's counts of what its projections did, for {@code /metrics}: rows skipped by reason,
 * events set aside as dead letters by reason, failed batches (each one a restart), and batch write
 * times.
 */
public final class ProjectionCounters {

  public record Key(String projection, String reason) {}

  private final Map<Key, LongAdder> skipped = new ConcurrentHashMap<>();
  private final Map<Key, LongAdder> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> batches = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> batchNanos = new ConcurrentHashMap<>();

  void skipped(String projection, Map<String, Integer> byReason) {
    byReason.forEach(
        (reason, n) ->
            skipped.computeIfAbsent(new Key(projection, reason), k -> new LongAdder()).add(n));
  }

  void deadLettered(String projection, Map<String, Integer> byReason) {
    byReason.forEach((reason, n) -> deadLetter(projection, reason).add(n));
  }

  /**
   * Starts the dead-letter series of a projection at 0 (a series born at 1 shows no increase in
   * Prometheus).
   */
  void expectDeadLetters(String projection, Iterable<String> reasons) {
    reasons.forEach(reason -> deadLetter(projection, reason));
  }

  private LongAdder deadLetter(String projection, String reason) {
    return deadLetters.computeIfAbsent(new Key(projection, reason), k -> new LongAdder());
  }

  /**
   * Starts the failed-batch series of a projection at 0, for the same reason as {@link
   * #expectDeadLetters}.
   */
  void expectFailures(String projection) {
    failures.computeIfAbsent(projection, k -> new LongAdder());
  }

  void failed(String projection) {
    failures.computeIfAbsent(projection, k -> new LongAdder()).increment();
  }

  void batch(String projection, long nanos) {
    batches.computeIfAbsent(projection, k -> new LongAdder()).increment();
    batchNanos.computeIfAbsent(projection, k -> new LongAdder()).add(nanos);
  }

  public Map<Key, LongAdder> skipped() {
    return skipped;
  }

  public Map<Key, LongAdder> deadLetters() {
    return deadLetters;
  }

  public Map<String, LongAdder> failures() {
    return failures;
  }

  public Map<String, LongAdder> batches() {
    return batches;
  }

  public Map<String, LongAdder> batchNanos() {
    return batchNanos;
  }
}
