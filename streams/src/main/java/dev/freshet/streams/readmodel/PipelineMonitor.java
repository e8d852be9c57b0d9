package dev.freshet.streams.readmodel;

import dev.freshet.persistence.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every projection's standing from PostgreSQL (its offset row and the journal), so that any
 * node reports all projections wherever they run: lag is the age of the oldest tagged journal event
 * past the committed offset, pending the journal orderings between the offset and the tag's newest
 * event, rows/s the change of the row count since the previous sample.
 *
 * <p>A sample costs the same however long the journal is: one statement, and for each offset row
 * two probes of the index {@code event_tag (tag, event_id)} and one of the journal's primary key
 * (V10). It never counts or scans events: pending is a difference of orderings, an upper bound of
 * the tag's own events (the orderings in between also number the other tags' events).
 */
public final class PipelineMonitor {

  private static final Logger log = LoggerFactory.getLogger(PipelineMonitor.class);

  static final String SQL =
      "SELECT o.projection, o.tag, o.ordering, o.rows_total, o.skipped_total, o.batches_total, o.last_event_at, "
          + "o.updated_at, o.last_error, o.last_error_at, "
          + "(SELECT j.write_timestamp FROM event_journal j WHERE j.ordering = "
          + "  (SELECT min(t.event_id) FROM event_tag t WHERE t.tag = o.tag AND t.event_id > o.ordering)) AS oldest_pending, "
          + "(SELECT max(t.event_id) FROM event_tag t WHERE t.tag = o.tag) AS newest, "
          + "o.dead_letters_total "
          + "FROM read_model_offsets o ORDER BY o.projection, o.tag";

  private record Previous(long rows, long atNanos) {}

  private final DataSource dataSource;
  private final Map<String, Previous> previous = new HashMap<>();
  private volatile List<PipelineStatus> current = List.of();

  public PipelineMonitor(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Samples now and then every {@code interval} on the blocking dispatcher. */
  public static PipelineMonitor start(
      ActorSystem<?> system, DataSource dataSource, Duration interval) {
    PipelineMonitor monitor = new PipelineMonitor(dataSource);
    system
        .scheduler()
        .scheduleWithFixedDelay(
            Duration.ZERO,
            interval,
            monitor::sampleQuietly,
            system.dispatchers().lookup(DispatcherSelector.blocking()));
    return monitor;
  }

  /** The latest sample (empty before the first one or while no projection has started). */
  public List<PipelineStatus> current() {
    return current;
  }

  private void sampleQuietly() {
    try {
      sample();
    } catch (RuntimeException e) {
      log.debug("Pipeline sample failed", e);
    }
  }

  /** Takes a sample now; the answer is also kept as {@link #current()}. */
  public synchronized List<PipelineStatus> sample() {
    long now = System.currentTimeMillis();
    long nanos = System.nanoTime();
    List<PipelineStatus> statuses = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SQL);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String projection = rs.getString(1);
        String tag = rs.getString(2);
        long rows = rs.getLong(4);
        long offset = rs.getLong(3);
        long oldestPending = rs.getLong(11);
        boolean pending = !rs.wasNull();
        long newest = rs.getLong(12);
        String key = projection + "/" + tag;
        Previous before = previous.put(key, new Previous(rows, nanos));
        double rate =
            before == null || nanos == before.atNanos()
                ? 0
                : (rows - before.rows()) * 1e9 / (nanos - before.atNanos());
        statuses.add(
            new PipelineStatus(
                projection,
                tag,
                offset,
                pending ? Math.max(0, now - oldestPending) / 1000.0 : 0,
                pending ? Math.max(0, newest - offset) : 0,
                rate,
                rows,
                rs.getLong(5),
                rs.getLong(13),
                rs.getLong(6),
                instant(rs.getTimestamp(7)),
                instant(rs.getTimestamp(8)),
                rs.getString(9),
                instant(rs.getTimestamp(10))));
      }
    } catch (SQLException e) {
      throw new StoreException("Could not sample the read-model pipelines", e);
    }
    current = List.copyOf(statuses);
    return current;
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
