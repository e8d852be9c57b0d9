package dev.freshet.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Why {@code user_impressions} and {@code events} are partitioned by month: the same rows in a
 * monthly-partitioned table (as migration V5 builds it) and in one plain table with the same
 * indexes, then time-range queries and the retention purge of the oldest month on both — dropping a
 * partition against deleting in batches of 10,000 rows, each its own transaction (what retention
 * would have to do without partitions).
 *
 * <pre>
 * java -cp bench/target/freshet-bench.jar dev.freshet.bench.PartitionBench --url jdbc:postgresql://localhost:PORT/postgres --rows 10000000
 * </pre>
 */
public final class PartitionBench {

  private static final int MONTHS = 4;
  private static final int USERS = 100_000;
  private static final int DELETE_BATCH = 10_000;

  public static void main(String[] args) throws Exception {
    String url = null;
    long rows = 10_000_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--url")) url = args[++i];
      else if (args[i].equals("--rows")) rows = Long.parseLong(args[++i]);
    }
    if (url == null) {
      System.err.println("usage: PartitionBench --url JDBC_URL [--rows N]");
      System.exit(2);
    }
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      c.setAutoCommit(true);
      System.out.printf(
          "Conditions: %,d rows over %d months (2026-07 .. 2026-10), %,d users, PostgreSQL %s, %d CPUs%n",
          rows,
          MONTHS,
          USERS,
          c.getMetaData().getDatabaseProductVersion(),
          Runtime.getRuntime().availableProcessors());
      setUp(c, rows);
      for (String table : List.of("bench_imp_part", "bench_imp_flat")) {
        System.out.printf(
            "%n%s (%s)%n",
            table, table.endsWith("part") ? "monthly partitions" : "one table, same indexes");
        System.out.printf(
            "  one user's impressions in one week:     %8.2f ms (median of 50)%n",
            median(
                c,
                "SELECT count(*) FROM "
                    + table
                    + " WHERE user_id = 'u-4242' AND first_seen_at >= '2026-09-01' AND first_seen_at < '2026-09-08'",
                50));
        System.out.printf(
            "  all impressions of one day (count):     %8.2f ms (median of 10)%n",
            median(
                c,
                "SELECT count(*) FROM "
                    + table
                    + " WHERE first_seen_at >= '2026-09-10' AND first_seen_at < '2026-09-11'",
                10));
        System.out.printf(
            "  one (user, item) lookup (view count):   %8.2f ms (median of 50)%n",
            median(
                c,
                "SELECT view_count FROM "
                    + table
                    + " WHERE user_id = 'u-4242' AND item_id = 'i-17'",
                50));
      }
      long monthRows = scalar(c, "SELECT count(*) FROM bench_imp_part_p202607");
      System.out.printf("%nRetention purge of the oldest month (%,d rows):%n", monthRows);
      long start = System.nanoTime();
      exec(c, "DROP TABLE bench_imp_part_p202607");
      System.out.printf(
          "  partitioned: DROP TABLE of the partition  %10.1f ms%n",
          (System.nanoTime() - start) / 1e6);
      String sizeBefore =
          text(c, "SELECT pg_size_pretty(pg_total_relation_size('bench_imp_flat'))");
      start = System.nanoTime();
      long deleted = 0;
      int n;
      do {
        try (Statement s = c.createStatement()) {
          n =
              s.executeUpdate(
                  "DELETE FROM bench_imp_flat WHERE ctid = ANY(ARRAY(SELECT ctid FROM bench_imp_flat WHERE first_seen_at < '2026-08-01' LIMIT "
                      + DELETE_BATCH
                      + "))");
        }
        deleted += n;
      } while (n == DELETE_BATCH);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "  plain table: batched DELETE (%,d a batch)  %10.1f ms  (%,d rows, %,.0f rows/s)%n",
          DELETE_BATCH, seconds * 1000, deleted, deleted / seconds);
      System.out.printf(
          "  plain table size before / after the delete: %s / %s (space comes back only after VACUUM)%n",
          sizeBefore, text(c, "SELECT pg_size_pretty(pg_total_relation_size('bench_imp_flat'))"));
      exec(c, "DROP TABLE bench_imp_part");
      exec(c, "DROP TABLE bench_imp_flat");
    }
  }

  private static void setUp(Connection c, long rows) throws SQLException {
    exec(c, "DROP TABLE IF EXISTS bench_imp_part");
    exec(c, "DROP TABLE IF EXISTS bench_imp_flat");
    String columns =
        "(user_id VARCHAR(128) NOT NULL, item_id VARCHAR(128) NOT NULL, first_seen_at TIMESTAMPTZ NOT NULL, "
            + "view_count INTEGER NOT NULL DEFAULT 1, last_seen_at TIMESTAMPTZ NOT NULL, surface VARCHAR(64), "
            + "ranking_id VARCHAR(128), position INTEGER, PRIMARY KEY (user_id, item_id, first_seen_at))";
    exec(c, "CREATE TABLE bench_imp_part " + columns + " PARTITION BY RANGE (first_seen_at)");
    for (int m = 7; m < 7 + MONTHS; m++) {
      exec(
          c,
          String.format(
              "CREATE TABLE bench_imp_part_p2026%02d PARTITION OF bench_imp_part FOR VALUES FROM ('2026-%02d-01') TO ('2026-%02d-01')",
              m, m, m + 1));
    }
    exec(c, "CREATE TABLE bench_imp_flat " + columns);
    for (String t : List.of("bench_imp_part", "bench_imp_flat")) {
      exec(c, "CREATE INDEX ON " + t + " (user_id, first_seen_at)");
      exec(c, "CREATE INDEX ON " + t + " (first_seen_at)");
      long start = System.nanoTime();
      // user u-(g % USERS), item i-(g / USERS): distinct (user, item); times spread evenly over the
      // months
      exec(
          c,
          "INSERT INTO "
              + t
              + " (user_id, item_id, first_seen_at, last_seen_at, surface, ranking_id, position) "
              + "SELECT 'u-' || (g % "
              + USERS
              + "), 'i-' || (g / "
              + USERS
              + "), ts, ts, 'home', 'r-' || (g / 20), (g % 20) + 1 "
              + "FROM generate_series(0, "
              + (rows - 1)
              + ") g, "
              + "LATERAL (SELECT timestamptz '2026-07-01' + (g::double precision / "
              + rows
              + ") * interval '"
              + (MONTHS * 30.5)
              + " days' AS ts) t");
      exec(c, "VACUUM ANALYZE " + t);
      System.out.printf(
          "Loaded %s in %.0f s (%s)%n",
          t,
          (System.nanoTime() - start) / 1e9,
          text(
              c,
              "SELECT pg_size_pretty(pg_total_relation_size('"
                  + t
                  + "') "
                  // a partitioned parent has no storage of its own: add its partitions
                  + "+ COALESCE((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = '"
                  + t
                  + "'::regclass), 0))"));
    }
  }

  private static double median(Connection c, String sql, int runs) throws SQLException {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      scalar(c, sql);
      ms.add((System.nanoTime() - start) / 1e6);
    }
    Collections.sort(ms);
    return ms.get(ms.size() / 2);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
