package dev.freshet.http.dashboard;

import dev.freshet.http.metrics.MetricHistory;
import dev.freshet.persistence.JdbcActivityStatistics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** The JSON answers of {@code GET /v1/admin/dashboard/…}: arrays aligned on their time axis. */
public final class DashboardAnswers {

  private DashboardAnswers() {}

  /** {@code /activity}: per bucket (epoch seconds) impressions, interactions and active users. */
  public record Activity(
      String range,
      String from,
      String to,
      long bucketSeconds,
      long[] buckets,
      long[] impressions,
      long[] interactions,
      long[] activeUsers,
      Totals totals) {

    public record Totals(long impressions, long interactions, long activeUsers) {}

    public static Activity of(
        DashboardRange range, Instant from, Instant to, JdbcActivityStatistics.Activity a) {
      return new Activity(
          range.name(),
          from.toString(),
          to.toString(),
          range.bucket().toSeconds(),
          a.bucketStarts(),
          a.impressions(),
          a.interactions(),
          a.activeUsers(),
          new Totals(a.totalImpressions(), a.totalInteractions(), a.totalActiveUsers()));
    }
  }

  /**
   * {@code /freshness}: per bucket, users per coverage band (the heatmap); the KPI live (this
   * node's resident users) and from the snapshots in range, and the alert's threshold.
   */
  public record Freshness(
      String range,
      String from,
      String to,
      long bucketSeconds,
      long[] buckets,
      List<Band> bands,
      long[][] users,
      Kpi kpi) {

    /** Coverage from (inclusive) to (exclusive but for the last band, which includes 1). */
    public record Band(double from, double to) {}

    public record Kpi(
        Double live, long liveUsers, Double snapshot, long snapshotUsers, double threshold) {}

    public static Freshness of(
        DashboardRange range,
        Instant from,
        Instant to,
        JdbcActivityStatistics.Freshness f,
        OptionalDouble live,
        long liveUsers,
        double threshold) {
      List<Band> bands = new ArrayList<>();
      int n = JdbcActivityStatistics.COVERAGE_BANDS;
      for (int b = 0; b < n; b++) bands.add(new Band((double) b / n, (double) (b + 1) / n));
      return new Freshness(
          range.name(),
          from.toString(),
          to.toString(),
          range.bucket().toSeconds(),
          f.bucketStarts(),
          bands,
          f.users(),
          new Kpi(
              live.isPresent() ? live.getAsDouble() : null,
              liveUsers,
              f.kpi().isPresent() ? f.kpi().getAsDouble() : null,
              f.kpiUsers(),
              threshold));
    }
  }

  /** {@code /metrics}: this node's samples; a null value is a sample with nothing to show. */
  public record NodeMetrics(
      String node,
      String range,
      long sampleSeconds,
      String from,
      String to,
      long[] times,
      Map<String, List<Double>> series) {

    public static NodeMetrics of(
        String node, DashboardRange range, Instant now, MetricHistory.Range samples) {
      return new NodeMetrics(
          node,
          range.name(),
          samples.sampleSeconds(),
          now.minus(range.length()).toString(),
          now.toString(),
          samples.times(),
          samples.series());
    }
  }
}
