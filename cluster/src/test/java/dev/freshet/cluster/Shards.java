package dev.freshet.cluster;

import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** What Cluster Sharding holds in memory on a node, and waiting for conditions in tests. */
final class Shards {
  private Shards() {}

  /** Ids of the user entities currently alive on this node. */
  static Set<String> residentUsers(FreshetNode node) {
    return node.residentUsers();
  }

  static void awaitTrue(String what, Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("Timed out waiting for: " + what);
      Thread.sleep(50);
    }
  }
}
