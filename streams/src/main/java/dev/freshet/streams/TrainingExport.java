package dev.freshet.streams;

import dev.freshet.persistence.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports click-labelled training rows as CSV: one row per item shown in a ranking, whether the
 * user then chose it, and the position-bias weight of its position (see {@link
 * PositionPropensity}). Each export covers impressions first seen in {@code [since, until)}, {@code
 * until} lagging the clock by the attribution window so that clicks have had time to arrive; after
 * the file is complete the {@value #CONSUMER} checkpoint advances to {@code until}, and retention
 * never purges past it (see {@link Retention}).
 */
public final class TrainingExport {

  private static final Logger log = LoggerFactory.getLogger(TrainingExport.class);

  public static final String CONSUMER = "training-export";
  public static final String HEADER =
      "user_id,ranking_id,variant,item_id,position,shown_at,clicked,intent,propensity,weight";

  // The shown items of [?, ?) with the user's first positive selection of the item: one carrying
  // the
  // same ranking, or one carrying none made after the item was shown. Skip, dislike and dwell are
  // not selections.
  private static final String SHOWN =
      """
      SELECT i.user_id, i.ranking_id, r.variant, i.item_id, i.position, i.first_seen_at, c.intent,
             c.user_id IS NOT NULL AS clicked
      FROM user_impressions i
      LEFT JOIN ranking_events r ON r.ranking_id = i.ranking_id AND r.served
      LEFT JOIN LATERAL (
        SELECT e.user_id, e.intent FROM events e
        WHERE e.user_id = i.user_id AND e.item_id = i.item_id
          AND e.type IN ('click', 'like', 'favorite', 'share', 'purchase')
          AND (e.ranking_id = i.ranking_id OR (e.ranking_id IS NULL AND e.occurred_at >= i.first_seen_at))
        ORDER BY e.occurred_at, e.seq_nr, e.idx
        LIMIT 1) c ON true
      WHERE i.ranking_id IS NOT NULL AND i.position IS NOT NULL
        AND i.first_seen_at >= ? AND i.first_seen_at < ?
      """;
  private static final String BY_POSITION =
      "SELECT position, count(*), count(*) FILTER (WHERE clicked) FROM ("
          + SHOWN
          + ") s GROUP BY position";
  private static final String ROWS =
      SHOWN + "ORDER BY i.first_seen_at, i.ranking_id, i.position, i.item_id";
  private static final String ADVANCE =
      """
      INSERT INTO extraction_checkpoints (consumer, consumed_until, updated_at) VALUES (?, ?, now())
      ON CONFLICT (consumer) DO UPDATE SET
        consumed_until = GREATEST(extraction_checkpoints.consumed_until, EXCLUDED.consumed_until),
        updated_at = EXCLUDED.updated_at
      """;

  /** What one export wrote: its row counts, its time range and the propensities it used. */
  public record Result(
      long rows,
      long clicked,
      Instant since,
      Instant until,
      List<PositionPropensity.Row> propensities) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Duration attributionWindow;
  private final double maxWeight;

  /**
   * {@code attributionWindow} and {@code maxWeight} are {@code freshet.export.attribution-window}
   * and {@code freshet.export.max-weight} (the clip of the position-bias weights, see {@link
   * PositionPropensity}).
   */
  public TrainingExport(
      DataSource dataSource, Clock clock, Duration attributionWindow, double maxWeight) {
    if (attributionWindow.isNegative())
      throw new IllegalArgumentException("negative attribution window");
    this.dataSource = dataSource;
    this.clock = clock;
    this.attributionWindow = attributionWindow;
    this.maxWeight = maxWeight;
  }

  /**
   * Writes the CSV to {@code out}, replacing it only once complete and on disk (it is written to a
   * sibling temporary file first, so a crash never leaves half a file under the real name), then
   * advances the checkpoint.
   */
  public Result export(Instant since, Path out) {
    Instant until = until();
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    Result result;
    try (FileChannel channel =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      Writer writer = Channels.newWriter(channel, StandardCharsets.UTF_8);
      result = write(since, until, writer);
      writer.flush();
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write training export " + tmp, e);
    }
    try {
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not move training export to " + out, e);
    }
    advance(until);
    log.info(
        "Training export of [{}, {}) to {}: {} rows, {} clicked",
        since,
        until,
        out,
        result.rows(),
        result.clicked());
    return result;
  }

  /**
   * Writes the CSV to {@code out} (flushed, not closed: the caller owns it), then advances the
   * checkpoint.
   */
  public Result export(Instant since, Writer out) {
    Instant until = until();
    Result result;
    try {
      result = write(since, until, out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write training export", e);
    }
    advance(until);
    log.info(
        "Training export of [{}, {}): {} rows, {} clicked",
        since,
        until,
        result.rows(),
        result.clicked());
    return result;
  }

  /** How far the training export has consumed the raw rows; empty before its first export. */
  public static Optional<Instant> checkpoint(DataSource dataSource) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT consumed_until FROM extraction_checkpoints WHERE consumer = ?")) {
      ps.setString(1, CONSUMER);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(rs.getObject(1, OffsetDateTime.class).toInstant())
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("Could not read the " + CONSUMER + " checkpoint", e);
    }
  }

  private Instant until() {
    return clock.instant().minus(attributionWindow);
  }

  // Two passes over one snapshot: the propensities by position first (an aggregate), then the rows
  // through a cursor, so that a late click arriving in between cannot make the two disagree.
  private Result write(Instant since, Instant until, Writer out) throws IOException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // a cursor (fetch size) needs a transaction
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        PositionPropensity.Builder fit = PositionPropensity.builder(maxWeight);
        try (PreparedStatement ps = range(c.prepareStatement(BY_POSITION), since, until);
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) fit.add(rs.getInt(1), rs.getLong(2), rs.getLong(3));
        }
        PositionPropensity propensity = fit.build();
        long rows = 0;
        long clicked = 0;
        out.write(HEADER + "\n");
        try (PreparedStatement ps = range(c.prepareStatement(ROWS), since, until)) {
          ps.setFetchSize(1000);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              int position = rs.getInt(5);
              boolean click = rs.getBoolean(8);
              out.write(
                  String.join(
                          ",",
                          csv(rs.getString(1)),
                          csv(rs.getString(2)),
                          csv(rs.getString(3)),
                          csv(rs.getString(4)),
                          Integer.toString(position),
                          rs.getObject(6, OffsetDateTime.class).toInstant().toString(),
                          click ? "1" : "0",
                          csv(rs.getString(7)),
                          decimal(propensity.propensity(position)),
                          decimal(propensity.weight(position)))
                      + "\n");
              rows++;
              if (click) clicked++;
            }
          }
        }
        c.commit();
        return new Result(rows, clicked, since, until, propensity.table());
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(
          "Could not read the training rows of [" + since + ", " + until + ")", e);
    }
  }

  private static PreparedStatement range(PreparedStatement ps, Instant since, Instant until)
      throws SQLException {
    ps.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
    ps.setObject(2, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
    return ps;
  }

  private void advance(Instant until) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(ADVANCE)) {
      ps.setString(1, CONSUMER);
      ps.setObject(2, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("Could not advance the " + CONSUMER + " checkpoint to " + until, e);
    }
  }

  /** At most six decimals, no trailing zeros: 1, 2.5, 0.333333. */
  static String decimal(double value) {
    return BigDecimal.valueOf(value)
        .setScale(6, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /**
   * RFC 4180 quoting: a field holding a comma, quote or line break is quoted, its quotes doubled;
   * null is empty.
   */
  static String csv(String value) {
    if (value == null) return "";
    boolean quote =
        value.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r');
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }
}
