package dev.freshet.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;

/**
 * The JDK's common fork-join pool with at least two threads. On a machine with two cores its
 * parallelism defaults to one, and then every asynchronous {@code CompletableFuture} step without
 * an executor runs on a new thread of its own: Scala's converted futures (what Pekko's Java API
 * returns) run {@code exceptionally} that way. Measured under ingest on 2 cores: 1,120 threads
 * started per second, their creation a large share of the node's system time (JFR {@code
 * jdk.ThreadStart}). The property has to be set before anything initialises {@code ForkJoinPool}:
 * logback does when it configures itself, so {@code Main} has no static logger.
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

  /** Whether {@code CompletableFuture}'s asynchronous steps without an executor share a pool. */
  static boolean asyncStepsShareAPool() {
    return new CompletableFuture<Void>().defaultExecutor() instanceof ForkJoinPool;
  }

  /** Says where asynchronous steps run: a warning when the property came too late. */
  static void report(Logger log) {
    if (asyncStepsShareAPool()) {
      log.info(
          "asynchronous CompletableFuture steps run on the common pool ({} threads)",
          ForkJoinPool.getCommonPoolParallelism());
    } else {
      log.warn(
          "the common ForkJoinPool has parallelism {}: every asynchronous CompletableFuture step"
              + " starts a thread of its own; start the JVM with -D{}=2",
          ForkJoinPool.getCommonPoolParallelism(),
          PARALLELISM);
    }
  }
}
