package dev.freshet.persistence;

import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.FreshnessBands.Share;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;

/**
 * The admin dashboard's hourly rollups (V14): {@code activity_hourly} (first-time impressions,
 * interactions, a sketch of their users) and {@code freshness_hourly} (per coverage band a sketch
 * of the users snapshotted in it, and sketches of the users judged and of those found fresh).
 * Writers collect an hour's additions in memory and add them in their own transaction ({@link
 * #add}), so the rollups are exactly as durable and as exactly-once as the rows they summarise.
 *
 * <p>Several writers (the projections of four tags) add to the same hour at once. Counts add up in
 * SQL, but sketches merge in Java, so an hour's row is created if missing and then locked ({@code
 * FOR UPDATE}, hours in ascending order so that two writers never wait on each other in a circle)
 * before its sketches are merged and written back.
 */
public final class DashboardRollups {

  /** Sketch precision: 2^12 registers, about 1.6 % relative error, exact while small. */
  static final int LG_K = 12;

  /** Coverage bands of the freshness rollup: tenths of the active pool seen. */
  public static final int COVERAGE_BANDS = 10;

  private static final long HOUR_MILLIS = 3_600_000L;

  private DashboardRollups() {}

  /** The start of {@code atMillis}'s hour (UTC), in epoch milliseconds. */
  static long hourOf(long atMillis) {
    return Math.floorDiv(atMillis, HOUR_MILLIS) * HOUR_MILLIS;
  }

  /** One batch's additions to {@code activity_hourly}. */
  public static final class Activity {
    private final Map<Long, long[]> counts = new TreeMap<>();
    private final Map<Long, HllSketch> users = new TreeMap<>();

    /** A first-time impression of {@code userId} at {@code atMillis}. */
    public void impression(String userId, long atMillis) {
      counts.computeIfAbsent(hourOf(atMillis), h -> new long[2])[0]++;
      user(userId, atMillis);
    }

    /** An interaction (any event but an impression) of {@code userId}. */
    public void interaction(String userId, long atMillis) {
      counts.computeIfAbsent(hourOf(atMillis), h -> new long[2])[1]++;
      user(userId, atMillis);
    }

    /** {@code userId} was active then (a repeated impression, which counts nothing else). */
    public void user(String userId, long atMillis) {
      users.computeIfAbsent(hourOf(atMillis), h -> new HllSketch(LG_K)).update(userId);
    }

    boolean isEmpty() {
      return counts.isEmpty() && users.isEmpty();
    }
  }

  /** One write's additions to {@code freshness_hourly}. */
  public static final class Freshness {
    private final Map<Long, HllSketch[]> bands = new TreeMap<>();
    private final Map<Long, HllSketch> fresh = new TreeMap<>();
    private final Map<Long, HllSketch> judged = new TreeMap<>();

    /**
     * A snapshot of {@code userId} at {@code atMillis}: {@code coverage} the share of the active
     * pool seen, {@code share} the user's half for the freshness KPI (an empty pool is no user to
     * judge), the same rule as the nodes' {@link FreshnessBands}.
     */
    public void snapshot(String userId, long atMillis, double coverage, Share share) {
      long hour = hourOf(atMillis);
      int band = band(coverage);
      HllSketch[] sketches = bands.computeIfAbsent(hour, h -> new HllSketch[COVERAGE_BANDS]);
      if (sketches[band] == null) sketches[band] = new HllSketch(LG_K);
      sketches[band].update(userId);
      if (share == Share.EMPTY_POOL) return;
      if (share == Share.HALF_OR_MORE_UNSEEN)
        fresh.computeIfAbsent(hour, h -> new HllSketch(LG_K)).update(userId);
      judged.computeIfAbsent(hour, h -> new HllSketch(LG_K)).update(userId);
    }

    boolean isEmpty() {
      return bands.isEmpty();
    }
  }

  /** The band of {@code coverage}: tenths, 1.0 in the last. */
  public static int band(double coverage) {
    if (!(coverage > 0)) return 0;
    return (int) Math.min(COVERAGE_BANDS - 1, Math.floor(coverage * COVERAGE_BANDS));
  }

  /** Adds {@code activity} to {@code activity_hourly} in {@code c}'s transaction. */
  public static void add(Connection c, Activity activity) throws SQLException {
    if (activity.isEmpty()) return;
    TreeSet<Long> hours = new TreeSet<>(activity.counts.keySet());
    hours.addAll(activity.users.keySet());
    Long[] hourKeys = hours.toArray(Long[]::new);
    Map<Long, byte[]> stored =
        lockRows(
            c,
            "INSERT INTO activity_hourly (hour) SELECT h ",
            "SELECT hour, users FROM activity_hourly",
            hourKeys,
            rs -> rs.getBytes(2));
    int n = hourKeys.length;
    Timestamp[] at = new Timestamp[n];
    Long[] impressions = new Long[n];
    Long[] interactions = new Long[n];
    byte[][] users = new byte[n][];
    for (int i = 0; i < n; i++) {
      long hour = hourKeys[i];
      at[i] = new Timestamp(hour);
      long[] counts = activity.counts.getOrDefault(hour, new long[2]);
      impressions[i] = counts[0];
      interactions[i] = counts[1];
      users[i] = merged(stored.get(hour), activity.users.get(hour));
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE activity_hourly a SET impressions = a.impressions + u.impressions,"
                + " interactions = a.interactions + u.interactions, users = u.users"
                + " FROM unnest(?::timestamptz[], ?::bigint[], ?::bigint[], ?::bytea[])"
                + " AS u(hour, impressions, interactions, users) WHERE a.hour = u.hour")) {
      ps.setArray(1, c.createArrayOf("timestamptz", at));
      ps.setArray(2, c.createArrayOf("bigint", impressions));
      ps.setArray(3, c.createArrayOf("bigint", interactions));
      ps.setArray(4, c.createArrayOf("bytea", users));
      ps.executeUpdate();
    }
  }

  /** Adds {@code freshness} to {@code freshness_hourly} in {@code c}'s transaction. */
  public static void add(Connection c, Freshness freshness) throws SQLException {
    if (freshness.isEmpty()) return;
    Long[] hourKeys = freshness.bands.keySet().toArray(Long[]::new);
    record Stored(byte[][] bands, byte[] fresh, byte[] judged) {}
    Map<Long, Stored> stored =
        lockRows(
            c,
            "INSERT INTO freshness_hourly (hour, bands) SELECT h, array_fill(NULL::bytea, ARRAY["
                + COVERAGE_BANDS
                + "]) ",
            "SELECT hour, bands, fresh, judged FROM freshness_hourly",
            hourKeys,
            rs -> new Stored(byteArrays(rs.getArray(2)), rs.getBytes(3), rs.getBytes(4)));
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE freshness_hourly SET bands = ?::bytea[], fresh = ?, judged = ? WHERE hour = ?")) {
      for (long hour : hourKeys) {
        Stored old = stored.getOrDefault(hour, new Stored(new byte[COVERAGE_BANDS][], null, null));
        HllSketch[] added = freshness.bands.get(hour);
        byte[][] bands = new byte[COVERAGE_BANDS][];
        for (int b = 0; b < COVERAGE_BANDS; b++) {
          bands[b] = b < old.bands().length ? old.bands()[b] : null;
          if (added[b] != null) bands[b] = merged(bands[b], added[b]);
        }
        ps.setArray(1, c.createArrayOf("bytea", bands));
        ps.setBytes(2, merged(old.fresh(), freshness.fresh.get(hour)));
        ps.setBytes(3, merged(old.judged(), freshness.judged.get(hour)));
        ps.setTimestamp(4, new Timestamp(hour));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** What a locked row holds, read from its {@code SELECT hour, …} result. */
  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Creates the rows of {@code hours} if missing ({@code insertPrefix}: {@code INSERT INTO t (…)
   * SELECT h …}, for each hour {@code h}), then locks them in ascending order and answers what
   * {@code select} ({@code SELECT hour, … FROM t}) reads of each. Existing rows are skipped by the
   * insert; afterwards {@code FOR UPDATE} waits for a writer that created or changed one.
   */
  private static <T> Map<Long, T> lockRows(
      Connection c, String insertPrefix, String select, Long[] hours, RowReader<T> reader)
      throws SQLException {
    Array at = c.createArrayOf("timestamptz", timestamps(hours));
    try (PreparedStatement ps =
        c.prepareStatement(
            insertPrefix
                + "FROM unnest(?::timestamptz[]) AS u(h) ORDER BY h ON CONFLICT (hour) DO NOTHING")) {
      ps.setArray(1, at);
      ps.executeUpdate();
    }
    Map<Long, T> stored = new TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            select + " WHERE hour = ANY(?::timestamptz[]) ORDER BY hour FOR UPDATE")) {
      ps.setArray(1, at);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) stored.put(rs.getTimestamp(1).getTime(), reader.read(rs));
      }
    }
    return stored;
  }

  private static Timestamp[] timestamps(Long[] hours) {
    Timestamp[] at = new Timestamp[hours.length];
    for (int i = 0; i < hours.length; i++) at[i] = new Timestamp(hours[i]);
    return at;
  }

  /** {@code stored} (a compact sketch, or null) with {@code added} (or null) merged in. */
  static byte[] merged(byte[] stored, HllSketch added) {
    if (added == null) return stored;
    if (stored == null) return added.toCompactByteArray();
    Union union = new Union(LG_K);
    union.update(HllSketch.heapify(stored));
    union.update(added);
    return union.getResult().toCompactByteArray();
  }

  static byte[][] byteArrays(Array array) throws SQLException {
    if (array == null) return new byte[COVERAGE_BANDS][];
    Object[] values = (Object[]) array.getArray();
    byte[][] out = new byte[values.length][];
    for (int i = 0; i < values.length; i++) out[i] = (byte[]) values[i];
    return out;
  }

  /** The union of {@code sketches} (nulls skipped) as a distinct count, rounded. */
  public static long distinct(Iterable<byte[]> sketches) {
    Union union = null;
    for (byte[] s : sketches) {
      if (s == null) continue;
      if (union == null) union = new Union(LG_K);
      union.update(HllSketch.heapify(s));
    }
    return union == null ? 0 : Math.round(union.getResult().getEstimate());
  }
}
