package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import javax.sql.DataSource;

/** {@code ranking_events}: idempotent batched inserts (a retried batch changes nothing). */
public final class JdbcRankingEventStore {

  /** One row; {@code candidatesJson} is the JSON array of shown candidates. */
  public record Row(
      String rankingId, String userId, String variant, boolean served, String candidatesJson, long createdAtMillis) {}

  private final DataSource dataSource;

  public JdbcRankingEventStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public void insert(List<Row> rows) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO ranking_events (ranking_id, user_id, variant, served, candidates, created_at) "
                    + "VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (ranking_id) DO NOTHING")) {
      for (Row row : rows) {
        insert.setString(1, row.rankingId());
        insert.setString(2, row.userId());
        insert.setString(3, row.variant());
        insert.setBoolean(4, row.served());
        insert.setString(5, row.candidatesJson());
        insert.setTimestamp(6, new Timestamp(row.createdAtMillis()));
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (SQLException e) {
      throw new StoreException("Writing " + rows.size() + " ranking events failed", e);
    }
  }
}
