package dev.freshet.persistence;

import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.learning.TimeHoldout;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * What training reads: the {@code events} read model's interactions since a time, impressions left
 * out (they weigh nothing), each item by its dense id, in event-time order. Streamed through a
 * cursor, so a long history never sits in memory as rows.
 */
public final class JdbcInteractionRows {

  private static final int FETCH = 5_000;

  private final DataSource dataSource;

  public JdbcInteractionRows(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** One more than the highest dense id the catalog has given: the bound of every item index. */
  public int itemBound() {
    try (java.sql.Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT coalesce(max(dense_id), -1) + 1 FROM items");
        ResultSet rs = select.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    } catch (java.sql.SQLException e) {
      throw new StoreException("Reading the catalog's size failed", e);
    }
  }

  /** Hands every interaction at or after {@code since} to {@code rows}; answers how many. */
  public long forEachSince(Instant since, Consumer<TimeHoldout.Row> rows) {
    return Transactions.inTransaction(
        dataSource,
        "Reading interactions for training failed",
        c -> {
          long n = 0;
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT e.user_id, i.dense_id, e.type, e.intent, e.value, e.occurred_at"
                      + " FROM events e JOIN items i ON i.id = e.item_id"
                      + " WHERE e.occurred_at >= ? AND e.type <> 'impression'"
                      + " ORDER BY e.occurred_at, e.user_id, e.seq_nr, e.idx")) {
            select.setFetchSize(FETCH); // a cursor: autocommit is off inside the transaction
            select.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = select.executeQuery()) {
              while (rs.next()) {
                InteractionType type = InteractionType.fromWire(rs.getString(3)).orElse(null);
                if (type == null) continue; // a type this version does not know weighs nothing
                long value = rs.getLong(5);
                Long dwell = rs.wasNull() ? null : value; // right after reading that column
                rows.accept(
                    new TimeHoldout.Row(
                        rs.getString(1),
                        rs.getInt(2),
                        type,
                        rs.getString(4),
                        dwell,
                        rs.getTimestamp(6).toInstant().toEpochMilli()));
                n++;
              }
            }
          }
          return n;
        });
  }
}
