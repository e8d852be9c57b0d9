package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * {@code ranking_events}: idempotent batched inserts (a retried batch changes nothing), one INSERT
 * per batch whatever its size: the rankings and their candidates go as arrays, the candidates
 * flattened with the index of their ranking, and the server builds each row's array columns (V11).
 * Rankings of a user erased since they were served are dropped (see {@link ErasedUsers}).
 */
public final class JdbcRankingEventStore {

  /** One shown candidate. */
  public record Candidate(String itemId, int position, double score, String reason) {}

  /** One row; {@code candidates} in the order shown. */
  public record Row(
      String rankingId,
      String userId,
      String variant,
      boolean served,
      List<Candidate> candidates,
      long createdAtMillis) {}

  private static final String INSERT =
      "INSERT INTO ranking_events (ranking_id, user_id, variant, served, item_ids, positions, scores, reasons, created_at) "
          + "SELECT r.ranking_id, r.user_id, r.variant, r.served, "
          + "COALESCE(array_agg(c.item ORDER BY c.k) FILTER (WHERE c.k IS NOT NULL), '{}'), "
          + "COALESCE(array_agg(c.position ORDER BY c.k) FILTER (WHERE c.k IS NOT NULL), '{}'), "
          + "COALESCE(array_agg(c.score ORDER BY c.k) FILTER (WHERE c.k IS NOT NULL), '{}'), "
          + "COALESCE(array_agg(c.reason ORDER BY c.k) FILTER (WHERE c.k IS NOT NULL), '{}'), "
          + "'epoch'::timestamptz + r.at * interval '1 millisecond' "
          + "FROM unnest(?::text[], ?::text[], ?::text[], ?::boolean[], ?::bigint[]) WITH ORDINALITY "
          + "AS r(ranking_id, user_id, variant, served, at, n) "
          + "LEFT JOIN unnest(?::bigint[], ?::text[], ?::int[], ?::float8[], ?::text[]) WITH ORDINALITY "
          + "AS c(n, item, position, score, reason, k) ON c.n = r.n "
          + "GROUP BY r.n, r.ranking_id, r.user_id, r.variant, r.served, r.at "
          + "ON CONFLICT (ranking_id) DO NOTHING";

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
    List<Row> kept = new ArrayList<>(rows.size());
    for (Row row : rows) {
      ErasedUsers.Tombstone tombstone = erased.get(row.userId());
      if (tombstone == null
          || row.createdAtMillis() > tombstone.erasedAt().plus(erasureGrace).toEpochMilli()) {
        kept.add(row);
      }
    }
    if (kept.isEmpty()) return;
    int n = kept.size();
    String[] rankingIds = new String[n];
    String[] users = new String[n];
    String[] variants = new String[n];
    Boolean[] served = new Boolean[n];
    Long[] at = new Long[n];
    List<Long> of = new ArrayList<>();
    List<String> items = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Row row = kept.get(i);
      rankingIds[i] = row.rankingId();
      users[i] = row.userId();
      variants[i] = row.variant();
      served[i] = row.served();
      at[i] = row.createdAtMillis();
      for (Candidate candidate : row.candidates()) {
        of.add(i + 1L); // the ordinality of its ranking in the first unnest
        items.add(candidate.itemId());
        positions.add(candidate.position());
        scores.add(candidate.score());
        reasons.add(candidate.reason());
      }
    }
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setArray(1, c.createArrayOf("text", rankingIds));
      insert.setArray(2, c.createArrayOf("text", users));
      insert.setArray(3, c.createArrayOf("text", variants));
      insert.setArray(4, c.createArrayOf("boolean", served));
      insert.setArray(5, c.createArrayOf("bigint", at));
      insert.setArray(6, c.createArrayOf("bigint", of.toArray(new Long[0])));
      insert.setArray(7, c.createArrayOf("text", items.toArray(new String[0])));
      insert.setArray(8, c.createArrayOf("integer", positions.toArray(new Integer[0])));
      insert.setArray(9, c.createArrayOf("float8", scores.toArray(new Double[0])));
      insert.setArray(10, c.createArrayOf("text", reasons.toArray(new String[0])));
      insert.executeUpdate();
    }
  }
}
