package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The monthly (UTC) range partitions of the time-partitioned read models, {@code user_impressions}
 * and {@code events}: created when a row for a new month is about to be written, listed and dropped
 * by retention. A partition is named {@code <table>_pYYYYMM}.
 */
public final class ReadModelPartitions {

  /** The partitioned tables. */
  public static final List<String> TABLES = List.of("user_impressions", "events");

  /** The column {@code table} is range-partitioned on (migration V5). */
  public static String timeColumn(String table) {
    return switch (table) {
      case "user_impressions" -> "first_seen_at";
      case "events" -> "occurred_at";
      default -> throw new IllegalArgumentException("not a partitioned read model: " + table);
    };
  }

  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMM");
  // one lock id for all partition DDL, so that two projections creating the same month wait for
  // each other
  private static final long DDL_LOCK = 0x46_52_45_53_48_50L;

  private final DataSource dataSource;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  public ReadModelPartitions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** One month's partition of a table. */
  public record Partition(String table, YearMonth month) {
    public String name() {
      return table + "_p" + month.format(SUFFIX);
    }

    public Instant from() {
      return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public Instant until() {
      return month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
  }

  /** The earliest and latest year a partition can be made for. */
  public static final int MIN_YEAR = 1;

  public static final int MAX_YEAR = 9999;

  /**
   * The month (UTC) of the partition that holds {@code instant}. Only the years 1 to 9999 have one:
   * a partition's name has four digits for its year, and its bounds are ISO-8601 text, which for
   * other years PostgreSQL refuses or misreads (year 0, BC years, a "+" before five digits).
   *
   * @throws DateTimeException for an instant of any other year
   */
  public static YearMonth monthOf(Instant instant) {
    YearMonth month = YearMonth.from(instant.atZone(ZoneOffset.UTC));
    if (month.getYear() < MIN_YEAR || month.getYear() > MAX_YEAR) {
      throw new DateTimeException(
          "no partition for "
              + instant
              + ": partitions hold the years "
              + MIN_YEAR
              + " to "
              + MAX_YEAR);
    }
    return month;
  }

  /**
   * Makes sure {@code table} has partitions for every month of {@code instants}, in its own short
   * transaction (partition DDL locks the parent table; it must not sit inside a long batch).
   *
   * @throws DateTimeException when an instant has no month a partition can be made for (see {@link
   *     #monthOf}); nothing is created then
   * @throws StoreException when the database fails to create them
   */
  public void ensure(String table, Iterable<Instant> instants) {
    List<Partition> missing = new ArrayList<>();
    for (Instant at : instants) {
      Partition p = new Partition(table, monthOf(at));
      if (!known.contains(p.name()) && !missing.contains(p)) missing.add(p);
    }
    if (missing.isEmpty()) return;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
        for (Partition p : missing) {
          s.execute(
              "CREATE TABLE IF NOT EXISTS "
                  + p.name()
                  + " PARTITION OF "
                  + table
                  + " FOR VALUES FROM ('"
                  + p.from()
                  + "') TO ('"
                  + p.until()
                  + "')");
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
      missing.forEach(p -> known.add(p.name()));
    } catch (SQLException e) {
      throw new StoreException("Could not create partitions " + missing, e);
    }
  }

  /**
   * Forgets which partitions exist (after a failed write: retention may have dropped one since).
   */
  public void forget() {
    known.clear();
  }

  /** The partitions {@code table} has now, oldest first. */
  public List<Partition> list(String table) {
    String sql =
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            + "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ? ORDER BY c.relname";
    List<Partition> partitions = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        var ps = c.prepareStatement(sql)) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String suffix = name.substring(name.lastIndexOf("_p") + 2);
          partitions.add(new Partition(table, YearMonth.parse(suffix, SUFFIX)));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("Could not list partitions of " + table, e);
    }
    return partitions;
  }

  /** Drops one partition, with every row in it. */
  public void drop(Partition partition) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_lock(" + DDL_LOCK + ")");
      try {
        s.execute("DROP TABLE IF EXISTS " + partition.name());
      } finally {
        s.execute("SELECT pg_advisory_unlock(" + DDL_LOCK + ")");
      }
      known.remove(partition.name());
    } catch (SQLException e) {
      throw new StoreException("Could not drop partition " + partition.name(), e);
    }
  }
}
