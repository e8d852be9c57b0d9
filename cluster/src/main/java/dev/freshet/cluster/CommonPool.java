package dev.freshet.cluster;

/**
 * The JDK's common fork-join pool with at least two threads. On a machine with two cores its
 * parallelism defaults to one, and then every asynchronous {@code CompletableFuture} step without
 * an executor runs on a new thread of its own: Scala's converted futures (what Pekko's Java API
 * returns) run {@code exceptionally} that way. Measured under ingest on 2 cores: 1,120 threads
 * started per second, their creation a large share of the node's system time (JFR {@code
 * jdk.ThreadStart}).
 */
final class CommonPool {

  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /**
   * Must run before anything uses the common pool (the JDK reads the property once); an operator's
   * own {@code -D} setting wins.
   */
  static void atLeastTwoThreads() {
    if (System.getProperty(PARALLELISM) == null) {
      int cores = Runtime.getRuntime().availableProcessors();
      System.setProperty(PARALLELISM, Integer.toString(Math.max(2, cores - 1)));
    }
  }
}
