package dev.freshet.streams.readmodel;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * One read model fed by {@link ReadModelProjection}: it turns a batch of journal events into rows,
 * written on the projection's connection inside the transaction that also moves the offset.
 */
public interface ReadModel {

  /** The projection's name, its key in {@code read_model_offsets} and its label in metrics. */
  String name();

  /**
   * The months (UTC) the batch writes to, per partitioned table, so their partitions exist first.
   */
  default void partitionsNeeded(List<EventEnvelope> batch, PartitionNeeds needs) {}

  /**
   * Writes the rows of {@code batch}; must not commit. Unknown items are skipped and reported, not
   * failed.
   */
  BatchResult write(Connection connection, List<EventEnvelope> batch) throws SQLException;
}
