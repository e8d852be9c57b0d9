package dev.freshet.qdrant;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Closed, open, half-open: open after {@code maxFailures} failures in a row, for {@code
 * resetNanos}; then one call at a time may probe, and its success closes the breaker.
 */
final class CircuitBreaker {

  private final int maxFailures;
  private final long resetNanos;
  private final LongSupplier nanoClock;
  private final AtomicBoolean probing = new AtomicBoolean();
  private int failures; // guarded by this
  private long openUntil; // guarded by this; valid while open
  private boolean open; // guarded by this

  CircuitBreaker(int maxFailures, long resetNanos, LongSupplier nanoClock) {
    this.maxFailures = maxFailures;
    this.resetNanos = resetNanos;
    this.nanoClock = nanoClock;
  }

  /** Whether a call may go out now; in half-open state only one probe at a time may. */
  synchronized boolean allow() {
    if (!open) return true;
    if (nanoClock.getAsLong() - openUntil < 0) return false;
    return probing.compareAndSet(false, true);
  }

  synchronized void success() {
    failures = 0;
    open = false;
    probing.set(false);
  }

  synchronized void failure() {
    failures++;
    if (open || failures >= maxFailures) {
      open = true;
      openUntil = nanoClock.getAsLong() + resetNanos;
    }
    probing.set(false);
  }

  /** {@code closed}, {@code open} or {@code half-open} (open, but a probe may go out). */
  synchronized String state() {
    if (!open) return "closed";
    return nanoClock.getAsLong() - openUntil < 0 ? "open" : "half-open";
  }
}
