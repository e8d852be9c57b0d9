package dev.freshet.streams.readmodel;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one batch wrote: rows, and the rows skipped by reason (for example {@code item_deleted}).
 */
public final class BatchResult {

  private int rows;
  private final Map<String, Integer> skipped = new TreeMap<>();

  public void wrote(int n) {
    rows += n;
  }

  public void skipped(String reason, int n) {
    if (n > 0) skipped.merge(reason, n, Integer::sum);
  }

  public void add(BatchResult other) {
    rows += other.rows;
    other.skipped.forEach(this::skipped);
  }

  public int rows() {
    return rows;
  }

  public Map<String, Integer> skippedByReason() {
    return skipped;
  }

  public int skippedTotal() {
    return skipped.values().stream().mapToInt(Integer::intValue).sum();
  }
}
