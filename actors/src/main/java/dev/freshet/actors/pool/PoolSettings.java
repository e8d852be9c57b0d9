package dev.freshet.actors.pool;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * When a user's pool runs low and how the coordinator answers: the coverage thresholds (ascending,
 * each with the number of new items it asks for and whether it is urgent), the unseen count under
 * which a user counts as at risk, the aggregation window, the largest request, the back-off before
 * a failed request's demand is asked for again, how many finished requests operators can look at,
 * how often the coordinator journals the signals and reports it buffered, and how many of its
 * events a snapshot of its bookkeeping is taken after.
 */
public record PoolSettings(
    List<Threshold> thresholds,
    int atRiskUnseen,
    Duration window,
    int maxRequestSize,
    Duration retryMinBackoff,
    Duration retryMaxBackoff,
    int keepFinished,
    Duration persistInterval,
    int snapshotEvery) {

  /** One coverage level: crossing it asks for {@code wanted} new items. */
  public record Threshold(double coverage, int wanted, boolean urgent) {}

  public PoolSettings {
    thresholds =
        thresholds.stream().sorted(Comparator.comparingDouble(Threshold::coverage)).toList();
    if (thresholds.size() > 30) throw new IllegalArgumentException("at most 30 pool thresholds");
    if (persistInterval.isNegative() || persistInterval.isZero())
      throw new IllegalArgumentException("freshet.pool.persist-interval must be positive");
    if (snapshotEvery < 1)
      throw new IllegalArgumentException("freshet.pool.snapshot-every must be at least 1");
  }

  public static PoolSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.pool");
    List<Threshold> thresholds =
        c.getConfigList("thresholds").stream()
            .map(
                t ->
                    new Threshold(
                        t.getDouble("coverage"),
                        t.getInt("wanted"),
                        t.hasPath("urgent") && t.getBoolean("urgent")))
            .toList();
    return new PoolSettings(
        thresholds,
        c.getInt("at-risk-unseen"),
        c.getDuration("window"),
        c.getInt("max-request-size"),
        c.getDuration("retry.min-backoff"),
        c.getDuration("retry.max-backoff"),
        c.getInt("keep-finished"),
        c.getDuration("persist-interval"),
        c.getInt("snapshot-every"));
  }

  /**
   * The back-off before attempt {@code attempt} (2 = the first retry): doubling up to the maximum.
   */
  public Duration retryBackoff(int attempt) {
    long millis = retryMinBackoff.toMillis() << Math.min(20, Math.max(0, attempt - 2));
    return Duration.ofMillis(Math.min(millis, retryMaxBackoff.toMillis()));
  }
}
