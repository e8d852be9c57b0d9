package dev.freshet.http.dashboard;

import dev.freshet.http.api.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A time range a dashboard plot may ask for, and the bucket its bars are counted in: enough buckets
 * for a readable line (24 to 48), few enough that a month is one query of 30 rows.
 */
public record DashboardRange(String name, Duration length, Duration bucket) {

  /** The ranges of the read-model plots (impressions, active users, freshness). */
  public static final List<DashboardRange> READ_MODEL =
      List.of(
          new DashboardRange("24h", Duration.ofHours(24), Duration.ofHours(1)),
          new DashboardRange("7d", Duration.ofDays(7), Duration.ofHours(6)),
          new DashboardRange("30d", Duration.ofDays(30), Duration.ofDays(1)));

  /** The ranges of this node's metric history (sampled, so no buckets of their own). */
  public static final List<DashboardRange> NODE_METRICS =
      List.of(
          new DashboardRange("15m", Duration.ofMinutes(15), Duration.ZERO),
          new DashboardRange("1h", Duration.ofHours(1), Duration.ZERO),
          new DashboardRange("6h", Duration.ofHours(6), Duration.ZERO),
          new DashboardRange("24h", Duration.ofHours(24), Duration.ZERO));

  /** The range named {@code value} among {@code choices}, the first when absent; else a 400. */
  public static DashboardRange parse(
      Optional<String> value, List<DashboardRange> choices, DashboardRange absent) {
    if (value.isEmpty()) return absent;
    for (DashboardRange r : choices) if (r.name().equals(value.get())) return r;
    throw ApiException.invalid(
        "range",
        "range must be one of "
            + String.join(", ", choices.stream().map(DashboardRange::name).toList()));
  }
}
