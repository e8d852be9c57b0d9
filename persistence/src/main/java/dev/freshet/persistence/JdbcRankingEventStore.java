package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * {@code ranking_events}: idempotent batched inserts (a retried batch changes nothing). Rankings of
 * a user erased since they were served are dropped (see {@link ErasedUsers}).
 */
public final class JdbcRankingEventStore {

  /** One row; {@code candidatesJson} is the JSON array of shown candidates. */
  public record Row(
      String rankingId,
      String userId,
      String variant,
      boolean served,
      String candidatesJson,
      long createdAtMillis) {}

  private final DataSource dataSource;
  private final Duration erasureGrace;

  /**
   * {@code erasureGrace}: a ranking created up to this long after its user's erasure counts as
   * served before it (queued meanwhile, or stamped by a node whose clock is ahead) and is dropped.
   */
  public JdbcRankingEventStore(DataSource dataSource, Duration erasureGrace) {
    this.dataSource = dataSource;
    this.erasureGrace = erasureGrace;
  }

  public void insert(List<Row> rows) {
    Transactions.inTransaction(
        dataSource,
        "Writing " + rows.size() + " ranking events failed",
        c -> {
          insert(c, rows);
          return null;
        });
  }

  private void insert(Connection c, List<Row> rows) throws SQLException {
    Map<String, ErasedUsers.Tombstone> erased =
        ErasedUsers.lockAndFind(c, rows.stream().map(Row::userId).collect(Collectors.toSet()));
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO ranking_events (ranking_id, user_id, variant, served, candidates, created_at) "
                + "VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (ranking_id) DO NOTHING")) {
      int n = 0;
      for (Row row : rows) {
        ErasedUsers.Tombstone tombstone = erased.get(row.userId());
        if (tombstone != null
            && row.createdAtMillis() <= tombstone.erasedAt().plus(erasureGrace).toEpochMilli()) {
          continue;
        }
        insert.setString(1, row.rankingId());
        insert.setString(2, row.userId());
        insert.setString(3, row.variant());
        insert.setBoolean(4, row.served());
        insert.setString(5, row.candidatesJson());
        insert.setTimestamp(6, new Timestamp(row.createdAtMillis()));
        insert.addBatch();
        n++;
      }
      if (n > 0) insert.executeBatch();
    }
  }
}
