package dev.freshet.http.api;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;

/**
 * The span every timestamp the API accepts must lie in ({@code freshet.http.time-window}): not
 * before {@code earliest}, not more than {@code maxFuture} ahead of the node's clock.
 * Centuries-away times are client bugs; stored, they would stop the read models, whose monthly
 * partitions (and PostgreSQL's own timestamp range) cannot hold them.
 */
public record TimeWindow(Instant earliest, Duration maxFuture) {

  public TimeWindow {
    if (maxFuture.isNegative())
      throw new IllegalArgumentException("max-future must not be negative");
  }

  public static TimeWindow fromConfig(Config config) {
    Config c = config.getConfig("freshet.http.time-window");
    return new TimeWindow(Instant.parse(c.getString("earliest")), c.getDuration("max-future"));
  }

  /**
   * {@code at} as epoch milliseconds if it lies in the window around {@code nowMillis}; a 400
   * naming {@code field} otherwise.
   */
  public long check(String field, Instant at, long nowMillis) {
    if (at.isBefore(earliest)) {
      throw ApiException.invalid(
          field, field + " is before " + earliest + ", the earliest time accepted");
    }
    Instant latest = Instant.ofEpochMilli(nowMillis).plus(maxFuture);
    if (at.isAfter(latest)) {
      throw ApiException.invalid(
          field,
          field
              + " is more than "
              + maxFuture.toSeconds()
              + " s in the future (server time "
              + Instant.ofEpochMilli(nowMillis)
              + ")");
    }
    return at.toEpochMilli();
  }

  public long check(String field, long epochMillis, long nowMillis) {
    return check(field, Instant.ofEpochMilli(epochMillis), nowMillis);
  }
}
