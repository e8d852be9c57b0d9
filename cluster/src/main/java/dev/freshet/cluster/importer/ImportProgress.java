package dev.freshet.cluster.importer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Progress on stderr while batches go out: at most one line per interval, with rows sent, the share
 * done, the rate and how many rows earlier runs had imported already; waits on rate limits are
 * added up (they can be many, and the operator may lift the limit), retries told at once.
 */
public final class ImportProgress implements ImportClient.Listener {

  private final PrintStream err;
  private final LongSupplier nanos;
  private final long intervalNanos;
  private long lastLine;
  private long lastRateLimitLine = Long.MIN_VALUE;
  private long rateLimitedWaits;
  private Duration rateLimitedFor = Duration.ZERO;

  public ImportProgress(PrintStream err, LongSupplier nanos, long intervalNanos) {
    this.err = err;
    this.nanos = nanos;
    this.intervalNanos = intervalNanos;
    this.lastLine = nanos.getAsLong();
  }

  /**
   * After a batch of {@code kind}: {@code sent} of {@code total} rows are through, {@code
   * alreadyImported} of them answered as imported before, since {@code startNanos}.
   */
  public void sent(String kind, long sent, long total, long alreadyImported, long startNanos) {
    long now = nanos.getAsLong();
    if (now - lastLine < intervalNanos && sent < total) return;
    lastLine = now;
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    err.printf(
        "import: %s %,d of %,d (%.1f %%), %,.0f/s%s%n",
        kind,
        sent,
        total,
        total == 0 ? 100.0 : 100.0 * sent / total,
        sent / seconds,
        alreadyImported == 0 ? "" : String.format(", %,d imported before", alreadyImported));
  }

  @Override
  public void rateLimited(Duration wait) {
    rateLimitedWaits++;
    rateLimitedFor = rateLimitedFor.plus(wait);
    long now = nanos.getAsLong();
    if (lastRateLimitLine != Long.MIN_VALUE && now - lastRateLimitLine < intervalNanos) return;
    lastRateLimitLine = now;
    err.printf(
        "import: rate-limited (429) %,d times, %,d s in all: the node's limit of ingest batches per"
            + " user a minute (freshet.limits; FRESHET_RATE_LIMITS=off on the node lifts it)%n",
        rateLimitedWaits, rateLimitedFor.toSeconds());
  }

  @Override
  public void retrying(String failure, Duration backoff) {
    err.println("import: " + failure + "; retrying in " + backoff.toMillis() + " ms");
  }

  /** How often the node's rate limit was waited for. */
  public long rateLimitedWaits() {
    return rateLimitedWaits;
  }

  /** How long the node's rate limit was waited for, in all. */
  public Duration rateLimitedFor() {
    return rateLimitedFor;
  }
}
