package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * What the admin dashboard plots, in time buckets, from the hourly rollups the read models keep
 * ({@link DashboardRollups}): first-time impressions, interactions and the distinct users behind
 * either; and the users' freshness from their feature snapshots, as distinct users per coverage
 * band. A range of 30 days reads 720 rows of each table whatever the traffic (counting the raw rows
 * of 11 million impressions took 12 s here). Buckets are whole hours or multiples of them; an hour
 * counts in the bucket it starts in. Distinct counts are unions of the hours' sketches: exact while
 * small, about 1.6 % off beyond. Queries run under a statement timeout, in a read-only transaction.
 */
public final class JdbcActivityStatistics {

  /** Coverage bands of the freshness heatmap: tenths of the active pool seen. */
  public static final int COVERAGE_BANDS = DashboardRollups.COVERAGE_BANDS;

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
   * {@code users[bucket][band]}: distinct users snapshotted in the band during the bucket; the
   * freshness KPI over the users snapshotted in the latest hour in range that has any and the hour
   * before it (empty without), and how many they were.
   */
  public record Freshness(long[] bucketStarts, long[][] users, OptionalDouble kpi, long kpiUsers) {}

  private final DataSource dataSource;
  private final Duration statementTimeout;

  public JdbcActivityStatistics(DataSource dataSource, Duration statementTimeout) {
    this.dataSource = dataSource;
    this.statementTimeout = statementTimeout;
  }

  /**
   * Activity in {@code [from, to)} by buckets of {@code bucket} (whole hours), aligned on the
   * epoch.
   */
  public Activity activity(Instant from, Instant to, Duration bucket) {
    long[] starts = bucketStarts(from, to, bucket);
    int n = starts.length;
    long[] impressions = new long[n];
    long[] interactions = new long[n];
    List<List<byte[]>> sketches = new ArrayList<>();
    for (int i = 0; i < n; i++) sketches.add(new ArrayList<>());
    List<byte[]> all = new ArrayList<>();
    long seconds = bucket.toSeconds();
    read(
        "Reading activity statistics failed",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT hour, impressions, interactions, users FROM activity_hourly"
                      + " WHERE hour >= ? AND hour < ?")) {
            rangeOf(ps, starts, seconds, to);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int i = indexOf(starts, rs.getTimestamp(1).getTime() / 1000, seconds);
                if (i < 0) continue;
                impressions[i] += rs.getLong(2);
                interactions[i] += rs.getLong(3);
                byte[] users = rs.getBytes(4);
                sketches.get(i).add(users);
                all.add(users);
              }
            }
          }
        });
    long[] users = new long[n];
    long totalImpressions = 0;
    long totalInteractions = 0;
    for (int i = 0; i < n; i++) {
      users[i] = DashboardRollups.distinct(sketches.get(i));
      totalImpressions += impressions[i];
      totalInteractions += interactions[i];
    }
    return new Activity(
        starts,
        impressions,
        interactions,
        users,
        totalImpressions,
        totalInteractions,
        DashboardRollups.distinct(all));
  }

  /**
   * Freshness in {@code [from, to)}: per bucket and coverage band, the distinct users snapshotted
   * in it; and the KPI (SPEC C9: the share with at least half of a non-empty active pool unseen,
   * i.e. coverage at most one half) over the users snapshotted in the latest hour that has any and
   * the hour before it.
   */
  public Freshness freshness(Instant from, Instant to, Duration bucket) {
    long[] starts = bucketStarts(from, to, bucket);
    int n = starts.length;
    List<List<List<byte[]>>> sketches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<List<byte[]>> bands = new ArrayList<>();
      for (int b = 0; b < COVERAGE_BANDS; b++) bands.add(new ArrayList<>());
      sketches.add(bands);
    }
    // each judged hour's sketches (fresh, judged), for the KPI of the latest ones
    TreeMap<Long, byte[][]> judgedHours = new TreeMap<>();
    long seconds = bucket.toSeconds();
    read(
        "Reading freshness statistics failed",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT hour, bands, fresh, judged FROM freshness_hourly"
                      + " WHERE hour >= ? AND hour < ?")) {
            rangeOf(ps, starts, seconds, to);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                long hour = rs.getTimestamp(1).getTime();
                int i = indexOf(starts, hour / 1000, seconds);
                if (i < 0) continue;
                byte[][] bands = DashboardRollups.byteArrays(rs.getArray(2));
                for (int b = 0; b < Math.min(COVERAGE_BANDS, bands.length); b++)
                  sketches.get(i).get(b).add(bands[b]);
                byte[] judged = rs.getBytes(4);
                if (judged != null) judgedHours.put(hour, new byte[][] {rs.getBytes(3), judged});
              }
            }
          }
        });
    long[][] users = new long[n][COVERAGE_BANDS];
    for (int i = 0; i < n; i++) {
      for (int b = 0; b < COVERAGE_BANDS; b++) {
        users[i][b] = DashboardRollups.distinct(sketches.get(i).get(b));
      }
    }
    // the latest judged hour and the one before it: users snapshotted just before and just after
    // the hour turned are judged together
    List<byte[]> freshSketches = new ArrayList<>();
    List<byte[]> judgedSketches = new ArrayList<>();
    if (!judgedHours.isEmpty()) {
      long last = judgedHours.lastKey();
      for (byte[][] h : judgedHours.subMap(last - 3_600_000L, true, last, true).values()) {
        freshSketches.add(h[0]);
        judgedSketches.add(h[1]);
      }
    }
    long judged = DashboardRollups.distinct(judgedSketches);
    long fresh = Math.min(judged, DashboardRollups.distinct(freshSketches));
    return new Freshness(
        starts,
        users,
        judged == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) fresh / judged),
        judged);
  }

  /**
   * The start (epoch seconds) of every bucket overlapping {@code [from, to)}, buckets aligned on
   * the epoch so that the same range asked twice draws the same bars.
   */
  static long[] bucketStarts(Instant from, Instant to, Duration bucket) {
    long seconds = bucket.toSeconds();
    if (seconds <= 0 || seconds % 3600 != 0)
      throw new IllegalArgumentException("bucket must be a whole number of hours");
    long first = Math.floorDiv(from.getEpochSecond(), seconds) * seconds;
    long end = to.getEpochSecond();
    int n = (int) Math.max(0, (end - first + seconds - 1) / seconds);
    long[] starts = new long[n];
    for (int i = 0; i < n; i++) starts[i] = first + i * seconds;
    return starts;
  }

  /** The hours from the first bucket's start to {@code to}. */
  private static void rangeOf(PreparedStatement ps, long[] starts, long seconds, Instant to)
      throws SQLException {
    long first = starts.length == 0 ? to.getEpochSecond() : starts[0];
    ps.setTimestamp(1, Timestamp.from(Instant.ofEpochSecond(first)));
    ps.setTimestamp(2, Timestamp.from(to));
  }

  private static int indexOf(long[] starts, long bucketStart, long seconds) {
    if (starts.length == 0) return -1;
    long i = Math.floorDiv(bucketStart - starts[0], seconds);
    return i < 0 || i >= starts.length ? -1 : (int) i;
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
