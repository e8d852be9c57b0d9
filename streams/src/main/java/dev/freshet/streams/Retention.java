package dev.freshet.streams;

import dev.freshet.persistence.ReadModelPartitions;
import dev.freshet.persistence.ReadModelPartitions.Partition;
import dev.freshet.persistence.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges the time-partitioned read models ({@code user_impressions}, {@code events}) older than the
 * retention period, and, when required, never past what the training export has consumed. Whole
 * months go by dropping their partition (cheap at any size); the month holding the limit loses its
 * older rows in small batches, each its own transaction, so that no lock or transaction stays open
 * for long beside the projections writing into it.
 */
public final class Retention {

  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

  /**
   * What a purge did: everything before {@code limit} is gone unless {@code skipped} says why
   * nothing was purged. {@code rowsDeleted} counts the rows deleted one by one from the month
   * holding the limit; the rows of dropped partitions are not counted (counting them would cost a
   * scan).
   */
  public record Result(
      Instant limit,
      Map<String, Long> rowsDeleted,
      Map<String, Integer> partitionsDropped,
      Optional<String> skipped) {}

  private final DataSource dataSource;
  private final ReadModelPartitions partitions;
  private final Duration retention;
  private final boolean requireExport;
  private final int deleteBatchSize;

  public Retention(
      DataSource dataSource,
      ReadModelPartitions partitions,
      Duration retention,
      boolean requireExport,
      int deleteBatchSize) {
    if (retention.isNegative()) throw new IllegalArgumentException("negative retention");
    if (deleteBatchSize < 1)
      throw new IllegalArgumentException("deleteBatchSize must be positive: " + deleteBatchSize);
    this.dataSource = dataSource;
    this.partitions = partitions;
    this.retention = retention;
    this.requireExport = requireExport;
    this.deleteBatchSize = deleteBatchSize;
  }

  public Result purge(Instant now) {
    Instant limit = now.minus(retention);
    if (requireExport) {
      Optional<Instant> checkpoint = TrainingExport.checkpoint(dataSource);
      if (checkpoint.isEmpty()) {
        String reason = "no training export has run yet, so nothing is consumed and nothing purged";
        log.info("Retention skipped: {}", reason);
        return new Result(limit, Map.of(), Map.of(), Optional.of(reason));
      }
      if (checkpoint.get().isBefore(limit)) limit = checkpoint.get();
    }
    Map<String, Long> deleted = new LinkedHashMap<>();
    Map<String, Integer> dropped = new LinkedHashMap<>();
    for (String table : ReadModelPartitions.TABLES) {
      long rows = 0;
      int drops = 0;
      for (Partition p : partitions.list(table)) {
        if (!p.until().isAfter(limit)) {
          partitions.drop(p);
          drops++;
        } else if (p.from().isBefore(limit)) {
          rows += deleteBefore(p, ReadModelPartitions.timeColumn(table), limit);
        }
      }
      deleted.put(table, rows);
      dropped.put(table, drops);
      log.info(
          "Retention of {} before {}: {} partitions dropped, {} rows deleted",
          table,
          limit,
          drops,
          rows);
    }
    return new Result(limit, deleted, dropped, Optional.empty());
  }

  /**
   * Deletes the read models' dead letters set aside before the retention period, in small batches;
   * answers how many. By when they were set aside, not by their event's time (often the very time
   * no partition could hold), and regardless of the training export, which does not read them.
   */
  public long purgeDeadLetters(Instant now) {
    Instant limit = now.minus(retention);
    long total = deleteBefore("read_model_dead_letters", "created_at", limit);
    log.info("Retention of read_model_dead_letters before {}: {} rows deleted", limit, total);
    return total;
  }

  /**
   * Deletes the dashboard's hourly rollups (activity, freshness) older than the retention period;
   * answers how many hours. Not held back by the training export: they summarise, they are never
   * exported.
   */
  public long purgeRollups(Instant now) {
    Instant limit = now.minus(retention);
    long total = deleteBefore("activity_hourly", "hour", limit);
    total += deleteBefore("freshness_hourly", "hour", limit);
    log.info(
        "Retention of the dashboard's hourly rollups before {}: {} hours deleted", limit, total);
    return total;
  }

  // On the partition itself, not the parent: a ctid is only unique within one partition.
  private long deleteBefore(Partition partition, String column, Instant limit) {
    return deleteBefore(partition.name(), column, limit);
  }

  /**
   * Deletes the rows of {@code table} with {@code column} before {@code limit}, each batch in its
   * own transaction.
   */
  private long deleteBefore(String table, String column, Instant limit) {
    String sql =
        "DELETE FROM "
            + table
            + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM "
            + table
            + " WHERE "
            + column
            + " < ? LIMIT ?))";
    long total = 0;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      c.setAutoCommit(true); // each batch commits on its own
      ps.setObject(1, OffsetDateTime.ofInstant(limit, ZoneOffset.UTC));
      ps.setInt(2, deleteBatchSize);
      int batch;
      do {
        batch = ps.executeUpdate();
        total += batch;
      } while (batch == deleteBatchSize);
      return total;
    } catch (SQLException e) {
      throw new StoreException(
          "Could not delete rows before " + limit + " from " + table + " (" + total + " deleted)",
          e);
    }
  }
}
