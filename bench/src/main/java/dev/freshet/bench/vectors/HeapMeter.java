package dev.freshet.bench.vectors;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Live heap after full collections: the difference across a build is what the index holds. */
final class HeapMeter {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private HeapMeter() {}

  /**
   * Used heap after repeated {@code System.gc()} (a full collection with G1 unless the JVM runs
   * with {@code -XX:+ExplicitGCInvokesConcurrent} or {@code -XX:+DisableExplicitGC}); the minimum
   * of a few tries, because a late reference-processing pass can free more the second time.
   */
  static long usedAfterGc() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      min = Math.min(min, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return min;
  }
}
