package dev.freshet.streams.readmodel;

import dev.freshet.persistence.ReadModelPartitions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read model fed from one journal tag: {@code eventsByTag} from the committed offset, batched by
 * {@code groupedWithin}, each batch written in one transaction together with its offset (so the rows
 * and the offset are committed or lost together, and a crash anywhere replays exactly the uncommitted
 * batch). Any failure restarts the stream with backoff from the committed offset.
 *
 * <p>The offset row is locked and compared with the offset this run expects before anything is
 * written: if another runner moved it (a projection handed over while its old runner still drained),
 * the batch is rolled back and the stream restarts from the newer offset, so no batch is applied twice.
 *
 * <p>A batch the database refuses as data (a value out of range, a constraint) is retried event by
 * event under savepoints, and the events it still refuses are skipped and counted: one bad row never
 * stops a projection.
 */
public final class ReadModelProjection implements Pipeline {

  private static final Logger log = LoggerFactory.getLogger(ReadModelProjection.class);

  private final ActorSystem<?> system;
  private final ReadModel model;
  private final String tag;
  private final EventsByTagQuery journal;
  private final DataSource dataSource;
  private final ReadModelPartitions partitions;
  private final ProjectionSettings settings;
  private final ProjectionCounters counters;
  private final Executor blocking;
  private final SharedKillSwitch killSwitch;
  private final AtomicLong committed = new AtomicLong(-1);

  public ReadModelProjection(
      ActorSystem<?> system,
      ReadModel model,
      String tag,
      EventsByTagQuery journal,
      DataSource dataSource,
      ReadModelPartitions partitions,
      ProjectionSettings settings,
      ProjectionCounters counters) {
    this.system = system;
    this.model = model;
    this.tag = tag;
    this.journal = journal;
    this.dataSource = dataSource;
    this.partitions = partitions;
    this.settings = settings;
    this.counters = counters;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.killSwitch = KillSwitches.shared("read-model-" + model.name() + "-" + tag);
  }

  public String name() {
    return model.name() + "/" + tag;
  }

  @Override
  public CompletionStage<Done> run() {
    RestartSettings restart =
        RestartSettings.create(settings.minBackoff(), settings.maxBackoff(), settings.randomFactor());
    return RestartSource.onFailuresWithBackoff(
            restart,
            () ->
                Source.completionStage(CompletableFuture.supplyAsync(this::loadOffset, blocking))
                    .flatMapConcat(offset -> journal.eventsByTag(tag, Offset.sequence(offset)))
                    // the kill switch sits before the batching: draining flushes the open batch
                    .via(killSwitch.flow())
                    .groupedWithin(settings.batchSize(), settings.maxDelay())
                    .mapAsync(1, batch -> CompletableFuture.supplyAsync(() -> writeOrFail(batch), blocking)))
        .runWith(Sink.ignore(), system);
  }

  @Override
  public void drain() {
    killSwitch.shutdown();
  }

  private long loadOffset() {
    try (Connection c = dataSource.getConnection()) {
      OffsetRows.ensure(c, model.name(), tag);
      long offset = lockedOffset(c, false);
      committed.set(offset);
      log.info("Projection {} starts after journal ordering {}", name(), offset);
      return offset;
    } catch (SQLException e) {
      recordError(e);
      throw new IllegalStateException("Projection " + name() + " could not read its offset", e);
    }
  }

  private BatchResult writeOrFail(List<EventEnvelope> batch) {
    try {
      return write(batch);
    } catch (SQLException | RuntimeException e) {
      counters.failed(model.name());
      partitions.forget(); // retention may have dropped a partition this node thought was there
      recordError(e);
      log.warn("Projection {} failed a batch of {} events; restarting from its committed offset", name(), batch.size(), e);
      throw new IllegalStateException("Projection " + name() + " batch failed", e);
    }
  }

  private BatchResult write(List<EventEnvelope> batch) throws SQLException {
    long start = System.nanoTime();
    PartitionNeeds needs = new PartitionNeeds();
    model.partitionsNeeded(batch, needs);
    needs.byTable().forEach(partitions::ensure);
    EventEnvelope last = batch.get(batch.size() - 1);
    long lastOrdering = ((Sequence) last.offset()).value();
    BatchResult result;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long current = lockedOffset(c, true);
        if (current != committed.get()) {
          throw new IllegalStateException(
              "offset moved from " + committed.get() + " to " + current + " by another runner");
        }
        Savepoint whole = c.setSavepoint();
        try {
          result = model.write(c, batch);
        } catch (SQLException e) {
          if (!isDataError(e)) throw e;
          c.rollback(whole);
          log.warn("Projection {}: the database refused a batch as data ({}); writing it event by event", name(), e.getMessage());
          result = writeOneByOne(c, batch);
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE read_model_offsets SET ordering = ?, updated_at = now(), rows_total = rows_total + ?, "
                    + "skipped_total = skipped_total + ?, batches_total = batches_total + 1, last_event_at = ? "
                    + "WHERE projection = ? AND tag = ?")) {
          ps.setLong(1, lastOrdering);
          ps.setLong(2, result.rows());
          ps.setLong(3, result.skippedTotal());
          ps.setTimestamp(4, new Timestamp(last.timestamp()));
          ps.setString(5, model.name());
          ps.setString(6, tag);
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    committed.set(lastOrdering);
    counters.batch(model.name(), System.nanoTime() - start);
    if (result.skippedTotal() > 0) {
      counters.skipped(model.name(), result.skippedByReason());
      log.warn("Projection {} skipped rows {} in a batch of {} events up to ordering {}",
          name(), result.skippedByReason(), batch.size(), lastOrdering);
    }
    return result;
  }

  private BatchResult writeOneByOne(Connection c, List<EventEnvelope> batch) throws SQLException {
    BatchResult result = new BatchResult();
    for (EventEnvelope envelope : batch) {
      Savepoint one = c.setSavepoint();
      try {
        result.add(model.write(c, List.of(envelope)));
        c.releaseSavepoint(one);
      } catch (SQLException e) {
        if (!isDataError(e)) throw e;
        c.rollback(one);
        result.skipped("invalid_row", 1);
        log.warn("Projection {} skipped event {} #{} (ordering {}): {}", name(), envelope.persistenceId(),
            envelope.sequenceNr(), ((Sequence) envelope.offset()).value(), e.getMessage());
      }
    }
    return result;
  }

  /** SQLSTATE class 22 (data exception) and 23 (integrity constraint violation). */
  private static boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  private long lockedOffset(Connection c, boolean forUpdate) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ordering FROM read_model_offsets WHERE projection = ? AND tag = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
      ps.setString(1, model.name());
      ps.setString(2, tag);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new IllegalStateException("no offset row for " + name());
        return rs.getLong(1);
      }
    }
  }

  /** Best effort: the error goes on the offset row for every node's pipeline view. */
  private void recordError(Throwable error) {
    String message = error.getClass().getSimpleName() + ": " + error.getMessage();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE read_model_offsets SET last_error = ?, last_error_at = now() WHERE projection = ? AND tag = ?")) {
      ps.setString(1, message.length() > 2000 ? message.substring(0, 2000) : message);
      ps.setString(2, model.name());
      ps.setString(3, tag);
      ps.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      log.debug("Could not record the error of projection {}", name(), e);
    }
  }
}
