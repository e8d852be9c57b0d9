package dev.freshet.streams.readmodel;

import dev.freshet.persistence.ReadModelPartitions;
import dev.freshet.persistence.StoreException;
import dev.freshet.streams.readmodel.DeadLetters.DeadLetter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * One read model fed from one journal tag: {@code eventsByTag} from the committed offset, batched
 * by {@code groupedWithin}, each batch written in one transaction together with its offset (so the
 * rows and the offset are committed or lost together, and a crash anywhere replays exactly the
 * uncommitted batch). Any failure restarts the stream with backoff from the committed offset.
 *
 * <p>The offset is moved only from the offset this run expects ({@code UPDATE … WHERE ordering =
 * expected}, the transaction's last statement): if another runner moved it (a projection handed
 * over while its old runner still drained), the update finds no row, the batch is rolled back and
 * the stream restarts from the newer offset, so no batch is applied twice. A runner whose update
 * waits for another's lock on the row sees the moved offset once that one commits.
 *
 * <p>An event the projection cannot write is set aside, never a stop: its partitions cannot be made
 * (a time such as year 0 or 999999999), or the database refuses its rows as data (a value out of
 * range, a constraint; the batch is then rolled back and written again event by event under
 * savepoints, which the batches without a bad event never pay for). Such an event is skipped and
 * counted by reason and becomes a row of {@code read_model_dead_letters}, written in the
 * transaction that moves the offset past it. Only failures of the event itself count: a database
 * that cannot be reached fails the batch, which is retried with backoff like any other.
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
    // the series exist at 0 before the first dead letter, so that a rate over them sees it
    counters.expectDeadLetters(model.name(), DeadLetters.REASONS);
    counters.expectFailures(model.name());
  }

  public String name() {
    return model.name() + "/" + tag;
  }

  @Override
  public CompletionStage<Done> run() {
    RestartSettings restart =
        RestartSettings.create(
            settings.minBackoff(), settings.maxBackoff(), settings.randomFactor());
    return RestartSource.onFailuresWithBackoff(
            restart,
            () ->
                Source.completionStage(CompletableFuture.supplyAsync(this::loadOffset, blocking))
                    .flatMapConcat(offset -> journal.eventsByTag(tag, Offset.sequence(offset)))
                    // the kill switch sits before the batching: draining flushes the open batch
                    .via(killSwitch.flow())
                    .groupedWithin(settings.batchSize(), settings.maxDelay())
                    .mapAsync(
                        1,
                        batch -> CompletableFuture.supplyAsync(() -> writeOrFail(batch), blocking)))
        .runWith(Sink.ignore(), system);
  }

  @Override
  public void drain() {
    killSwitch.shutdown();
  }

  private long loadOffset() {
    try (Connection c = dataSource.getConnection()) {
      OffsetRows.ensure(c, model.name(), tag);
      long offset = offset(c);
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
      log.warn(
          "Projection {} failed a batch of {} events; restarting from its committed offset",
          name(),
          batch.size(),
          e);
      throw new IllegalStateException("Projection " + name() + " batch failed", e);
    }
  }

  /** What a committed batch did: its rows, and the dead letters it added by reason. */
  private record Committed(BatchResult result, Map<String, Integer> deadLettered) {}

  /** The database refused the set-based write of a batch as data: one of its events is bad. */
  private static final class RefusedAsData extends RuntimeException {
    RefusedAsData(Exception cause) {
      super(cause.getMessage(), cause);
    }
  }

  private BatchResult write(List<EventEnvelope> batch) throws SQLException {
    long start = System.nanoTime();
    List<DeadLetter> outOfRange = new ArrayList<>();
    List<EventEnvelope> writable = withPartitions(batch, outOfRange);
    EventEnvelope last = batch.get(batch.size() - 1);
    long lastOrdering = ((Sequence) last.offset()).value();
    Committed committedBatch;
    try {
      committedBatch = commit(writable, outOfRange, last, false);
    } catch (RefusedAsData e) {
      // rolled back whole: the same batch again, each event under its own savepoint
      log.warn(
          "Projection {}: the database refused a batch as data ({}); writing it event by event",
          name(),
          e.getMessage());
      committedBatch = commit(writable, outOfRange, last, true);
    }
    BatchResult result = committedBatch.result();
    Map<String, Integer> deadLettered = committedBatch.deadLettered();
    committed.set(lastOrdering);
    counters.batch(model.name(), System.nanoTime() - start);
    if (result.skippedTotal() > 0) {
      counters.skipped(model.name(), result.skippedByReason());
      log.warn(
          "Projection {} skipped rows {} in a batch of {} events up to ordering {}",
          name(),
          result.skippedByReason(),
          batch.size(),
          lastOrdering);
    }
    if (!deadLettered.isEmpty()) {
      counters.deadLettered(model.name(), deadLettered);
      log.warn(
          "Projection {} set aside events {} in read_model_dead_letters, up to ordering {}",
          name(),
          deadLettered,
          lastOrdering);
    }
    return result;
  }

  /**
   * One transaction: the rows of {@code writable}, the dead letters, the offset moved to {@code
   * last} if it is still where this run left it. The rows go in one set-based write per table (a
   * constant number of statements whatever the batch's size), or, {@code eventByEvent}, each
   * event's under a savepoint of its own so that an event the database refuses is set aside. A
   * set-based write refused as data throws {@link RefusedAsData} after the rollback.
   */
  private Committed commit(
      List<EventEnvelope> writable,
      List<DeadLetter> outOfRange,
      EventEnvelope last,
      boolean eventByEvent)
      throws SQLException {
    List<DeadLetter> deadLetters = new ArrayList<>(outOfRange);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        BatchResult result = new BatchResult();
        for (DeadLetter d : outOfRange) result.skipped(d.reason(), 1);
        if (!writable.isEmpty()) {
          if (eventByEvent) {
            result.add(writeOneByOne(c, writable, deadLetters));
          } else {
            try {
              result.add(model.write(c, writable));
            } catch (SQLException | DateTimeException | ArithmeticException e) {
              if (!isEventError(e)) throw e;
              throw new RefusedAsData(e);
            }
          }
        }
        Map<String, Integer> deadLettered = DeadLetters.write(c, model.name(), tag, deadLetters);
        int deadLetterCount = deadLettered.values().stream().mapToInt(Integer::intValue).sum();
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE read_model_offsets SET ordering = ?, updated_at = now(), rows_total = rows_total + ?, "
                    + "skipped_total = skipped_total + ?, dead_letters_total = dead_letters_total + ?, "
                    + "batches_total = batches_total + 1, last_event_at = ? "
                    + "WHERE projection = ? AND tag = ? AND ordering = ?")) {
          ps.setLong(1, ((Sequence) last.offset()).value());
          ps.setLong(2, result.rows());
          ps.setLong(3, result.skippedTotal());
          ps.setLong(4, deadLetterCount);
          ps.setTimestamp(5, new Timestamp(last.timestamp()));
          ps.setString(6, model.name());
          ps.setString(7, tag);
          ps.setLong(8, committed.get());
          if (ps.executeUpdate() == 0) {
            throw new IllegalStateException(
                "offset moved from " + committed.get() + " to " + offset(c) + " by another runner");
          }
        }
        c.commit();
        return new Committed(result, deadLettered);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * The events of {@code batch} whose partitions exist now. When making them for the whole batch
   * fails on an event's time, each event's partitions are made on their own and the events whose
   * cannot be are set aside; any other failure (the database unreachable) fails the batch.
   */
  private List<EventEnvelope> withPartitions(
      List<EventEnvelope> batch, List<DeadLetter> deadLetters) {
    try {
      ensurePartitions(batch);
      return batch;
    } catch (RuntimeException e) {
      if (!isOutOfRange(e)) throw e;
      log.warn(
          "Projection {}: partitions for a batch of {} events could not be made ({}); making them event by event",
          name(),
          batch.size(),
          e.getMessage());
    }
    List<EventEnvelope> writable = new ArrayList<>(batch.size());
    for (EventEnvelope envelope : batch) {
      try {
        ensurePartitions(List.of(envelope));
        writable.add(envelope);
      } catch (RuntimeException e) {
        if (!isOutOfRange(e)) throw e;
        deadLetters.add(
            new DeadLetter(envelope, DeadLetters.PARTITION_OUT_OF_RANGE, DeadLetters.detail(e)));
        log.warn(
            "Projection {} sets aside event {} #{} (ordering {}): no partition for its time: {}",
            name(),
            envelope.persistenceId(),
            envelope.sequenceNr(),
            ((Sequence) envelope.offset()).value(),
            DeadLetters.detail(e));
      }
    }
    return writable;
  }

  private void ensurePartitions(List<EventEnvelope> events) {
    PartitionNeeds needs = new PartitionNeeds();
    model.partitionsNeeded(events, needs);
    needs.byTable().forEach(partitions::ensure);
  }

  /**
   * Making a partition failed on the time itself, the same however often it is tried: it has no
   * month a partition can be made for (ReadModelPartitions.monthOf: year 0, BC, past 9999), Java
   * cannot compute one, or PostgreSQL refuses the month's bounds as data. Not a connection lost or
   * a database down: those are retried.
   */
  private static boolean isOutOfRange(RuntimeException e) {
    if (e instanceof DateTimeException || e instanceof ArithmeticException) return true;
    return e instanceof StoreException
        && e.getCause() instanceof SQLException cause
        && isDataError(cause);
  }

  private BatchResult writeOneByOne(
      Connection c, List<EventEnvelope> batch, List<DeadLetter> deadLetters) throws SQLException {
    BatchResult result = new BatchResult();
    for (EventEnvelope envelope : batch) {
      Savepoint one = c.setSavepoint();
      try {
        result.add(model.write(c, List.of(envelope)));
        c.releaseSavepoint(one);
      } catch (SQLException | DateTimeException | ArithmeticException e) {
        if (!isEventError(e)) throw e;
        c.rollback(one);
        result.skipped(DeadLetters.INVALID_ROW, 1);
        deadLetters.add(new DeadLetter(envelope, DeadLetters.INVALID_ROW, DeadLetters.detail(e)));
        log.warn(
            "Projection {} sets aside event {} #{} (ordering {}): {}",
            name(),
            envelope.persistenceId(),
            envelope.sequenceNr(),
            ((Sequence) envelope.offset()).value(),
            e.getMessage());
      }
    }
    return result;
  }

  /**
   * A failure of the event's own data: the database refused it as data, or Java could not convert
   * its values.
   */
  private static boolean isEventError(Exception e) {
    return e instanceof SQLException sql ? isDataError(sql) : true;
  }

  /** SQLSTATE class 22 (data exception) and 23 (integrity constraint violation). */
  private static boolean isDataError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  private long offset(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ordering FROM read_model_offsets WHERE projection = ? AND tag = ?")) {
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
