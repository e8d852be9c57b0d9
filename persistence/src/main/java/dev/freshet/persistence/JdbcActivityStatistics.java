package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import javax.sql.DataSource;

/**
 * What the admin dashboard plots from the read models, in time buckets: first-time impressions
 * ({@code user_impressions}), interactions ({@code events}) and the users behind either; and the
 * users' freshness from their feature snapshots ({@code user_features}), as counts per coverage
 * band. Each query reads one time range through the tables' time indexes (and so only the monthly
 * partitions in range), and runs under a statement timeout so that a dashboard can never hold a
 * connection the ingest path needs for long.
 */
public final class JdbcActivityStatistics {

  /** Coverage bands of the freshness heatmap: tenths of the active pool seen. */
  public static final int COVERAGE_BANDS = 10;

  /** Counts per bucket, aligned with {@code bucketStarts}; totals over the whole range. */
  public record Activity(
      long[] bucketStarts,
      long[] impressions,
      long[] interactions,
      long[] activeUsers,
      long totalImpressions,
      long totalInteractions,
      long totalActiveUsers) {}

  /**
   * {@code users[bucket][band]}: users whose latest snapshot in the bucket falls in the coverage
   * band; the freshness KPI over each user's latest snapshot in the range (empty without users).
   */
  public record Freshness(long[] bucketStarts, long[][] users, OptionalDouble kpi, long kpiUsers) {}

  private final DataSource dataSource;
  private final Duration statementTimeout;

  public JdbcActivityStatistics(DataSource dataSource, Duration statementTimeout) {
    this.dataSource = dataSource;
    this.statementTimeout = statementTimeout;
  }

  /** Activity in {@code [from, to)} by buckets of {@code bucket}, aligned on the epoch. */
  public Activity activity(Instant from, Instant to, Duration bucket) {
    long[] starts = bucketStarts(from, to, bucket);
    long[] impressions = new long[starts.length];
    long[] interactions = new long[starts.length];
    long[] users = new long[starts.length];
    long seconds = bucket.toSeconds();
    // one row per bucket: each table's counts, and the distinct users of both together
    String sql =
        "WITH acts AS ("
            + " SELECT user_id, first_seen_at AS at, 1 AS impression FROM user_impressions"
            + "  WHERE first_seen_at >= ? AND first_seen_at < ?"
            + " UNION ALL"
            + " SELECT user_id, occurred_at AS at, 0 AS impression FROM events"
            + "  WHERE occurred_at >= ? AND occurred_at < ?)"
            + " SELECT floor(extract(epoch FROM at) / ?)::bigint * ? AS bucket,"
            + "  sum(impression), count(*) - sum(impression), count(DISTINCT user_id)"
            + " FROM acts GROUP BY 1";
    String totalUsers =
        "SELECT count(*) FROM ("
            + " SELECT user_id FROM user_impressions WHERE first_seen_at >= ? AND first_seen_at < ?"
            + " UNION"
            + " SELECT user_id FROM events WHERE occurred_at >= ? AND occurred_at < ?) u";
    long[] totals = new long[3];
    read(
        "Reading activity statistics failed",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            rangeTwice(ps, from, to);
            ps.setLong(5, seconds);
            ps.setLong(6, seconds);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int i = indexOf(starts, rs.getLong(1), seconds);
                if (i < 0) continue;
                impressions[i] = rs.getLong(2);
                interactions[i] = rs.getLong(3);
                users[i] = rs.getLong(4);
                totals[0] += impressions[i];
                totals[1] += interactions[i];
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(totalUsers)) {
            rangeTwice(ps, from, to);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              totals[2] = rs.getLong(1);
            }
          }
        });
    return new Activity(starts, impressions, interactions, users, totals[0], totals[1], totals[2]);
  }

  /**
   * Freshness in {@code [from, to)}: per bucket, each user's latest snapshot in it counted in its
   * coverage band; and the KPI (SPEC C9: the share of users with at least half of a non-empty
   * active pool unseen, i.e. coverage at most one half) over each user's latest snapshot in the
   * range.
   */
  public Freshness freshness(Instant from, Instant to, Duration bucket) {
    long[] starts = bucketStarts(from, to, bucket);
    long[][] users = new long[starts.length][COVERAGE_BANDS];
    long seconds = bucket.toSeconds();
    String heatmap =
        "SELECT bucket, least(floor(coverage * ?)::int, ? - 1), count(*) FROM ("
            + " SELECT DISTINCT ON (user_id, bucket) user_id, coverage,"
            + "  floor(extract(epoch FROM taken_at) / ?)::bigint * ? AS bucket"
            + " FROM user_features WHERE taken_at >= ? AND taken_at < ?"
            + " ORDER BY user_id, bucket, taken_at DESC) latest GROUP BY 1, 2";
    // an empty pool (nothing seen, nothing unseen) is no user to judge, as in FreshnessBands
    String kpi =
        "SELECT count(*) FILTER (WHERE coverage <= 0.5), count(*) FROM ("
            + " SELECT DISTINCT ON (user_id) coverage, unseen FROM user_features"
            + " WHERE taken_at >= ? AND taken_at < ? ORDER BY user_id, taken_at DESC) latest"
            + " WHERE unseen > 0 OR coverage > 0";
    long[] kpiCounts = new long[2];
    read(
        "Reading freshness statistics failed",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(heatmap)) {
            ps.setInt(1, COVERAGE_BANDS);
            ps.setInt(2, COVERAGE_BANDS);
            ps.setLong(3, seconds);
            ps.setLong(4, seconds);
            ps.setTimestamp(5, Timestamp.from(from));
            ps.setTimestamp(6, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int i = indexOf(starts, rs.getLong(1), seconds);
                int band = Math.max(0, Math.min(COVERAGE_BANDS - 1, rs.getInt(2)));
                if (i >= 0) users[i][band] += rs.getLong(3);
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(kpi)) {
            ps.setTimestamp(1, Timestamp.from(from));
            ps.setTimestamp(2, Timestamp.from(to));
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              kpiCounts[0] = rs.getLong(1);
              kpiCounts[1] = rs.getLong(2);
            }
          }
        });
    long judged = kpiCounts[1];
    return new Freshness(
        starts,
        users,
        judged == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) kpiCounts[0] / judged),
        judged);
  }

  /**
   * The start (epoch seconds) of every bucket overlapping {@code [from, to)}, buckets aligned on
   * the epoch so that the same range asked twice draws the same bars.
   */
  static long[] bucketStarts(Instant from, Instant to, Duration bucket) {
    long seconds = bucket.toSeconds();
    if (seconds <= 0) throw new IllegalArgumentException("bucket must be at least one second");
    long first = Math.floorDiv(from.getEpochSecond(), seconds) * seconds;
    long end = to.getEpochSecond();
    int n = (int) Math.max(0, (end - first + seconds - 1) / seconds);
    long[] starts = new long[n];
    for (int i = 0; i < n; i++) starts[i] = first + i * seconds;
    return starts;
  }

  private static int indexOf(long[] starts, long bucketStart, long seconds) {
    if (starts.length == 0) return -1;
    long i = (bucketStart - starts[0]) / seconds;
    return i < 0 || i >= starts.length ? -1 : (int) i;
  }

  private static void rangeTwice(PreparedStatement ps, Instant from, Instant to)
      throws SQLException {
    ps.setTimestamp(1, Timestamp.from(from));
    ps.setTimestamp(2, Timestamp.from(to));
    ps.setTimestamp(3, Timestamp.from(from));
    ps.setTimestamp(4, Timestamp.from(to));
  }

  private interface Reads {
    void run(Connection c) throws SQLException;
  }

  /**
   * {@code reads} in one read-only transaction whose statements time out after the configured limit
   * (SET LOCAL: the limit ends with the transaction and never outlives it in the pool).
   */
  private void read(String failure, Reads reads) {
    try (Connection c = dataSource.getConnection()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL statement_timeout = " + Math.max(1, statementTimeout.toMillis()));
        reads.run(c);
      } finally {
        c.rollback();
        c.setAutoCommit(true);
        c.setReadOnly(false);
      }
    } catch (SQLException e) {
      throw new StoreException(failure, e);
    }
  }
}
