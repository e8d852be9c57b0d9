package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waiting for what a node does in its own time: asking again until it holds, or failing. */
public final class Eventually {

  /** How often to ask: not what is asserted. */
  private static final Duration EVERY = Duration.ofMillis(50);

  private Eventually() {}

  /**
   * Asks {@code probe} until {@code done} holds of its answer, which is returned; fails naming
   * {@code what} and the last answer once {@code within} has passed.
   */
  public static <T> T until(
      String what, Duration within, Supplier<T> probe, Predicate<? super T> done) {
    long deadline = System.nanoTime() + within.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      assertThat(System.nanoTime())
          .as(what + " within " + within.toSeconds() + " s; last: " + last)
          .isLessThan(deadline);
      try {
        Thread.sleep(EVERY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = probe.get();
    }
    return last;
  }
}
