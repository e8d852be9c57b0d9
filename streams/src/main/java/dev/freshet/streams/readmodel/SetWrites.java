package dev.freshet.streams.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The read models' rows written as sets: each table gets one statement per batch, whatever the
 * number of rows, with the rows passed as one array per column and expanded by {@code unnest} on
 * the server ({@code INSERT … SELECT … FROM unnest(…) ON CONFLICT …}). Catalog ids are joined in
 * the same statement ({@code items.dense_id}), and the statement answers how many rows it could
 * place, so that rows of deleted items are still counted as skipped. Times travel as epoch
 * milliseconds.
 *
 * <p>This class only writes rows; turning journal events into rows is the read models' part. A row
 * the database refuses as data fails the whole statement: the projection then writes that batch
 * event by event to set the one bad event aside (see {@link ReadModelProjection}).
 */
final class SetWrites {

  /** Epoch milliseconds (a {@code bigint} column of the unnest) as {@code timestamptz}. */
  private static final String MS = "'epoch'::timestamptz + %s * interval '1 millisecond'";

  private SetWrites() {}

  /** One first-time impression of a user: a new {@code user_impressions} row. */
  record FirstRow(
      String userId, int denseId, long at, String surface, String rankingId, Integer position) {}

  /** Repeated showings of one (user, item): {@code count} more views, the latest at {@code at}. */
  record RepeatRow(String userId, int denseId, long count, long at) {}

  /** One {@code events} row: where it sits in the journal (user, seq_nr, idx) and what it says. */
  record EventRow(
      String userId,
      long seqNr,
      int idx,
      int denseId,
      String type,
      String intent,
      String rankingId,
      Integer position,
      Long value,
      long at) {}

  private static final String INSERT_FIRSTS =
      "WITH r AS (SELECT u.user_id, i.id AS item_id, "
          + MS.formatted("u.at")
          + " AS at, u.surface, u.ranking_id, u.position "
          + "FROM unnest(?::text[], ?::int[], ?::bigint[], ?::text[], ?::text[], ?::int[]) "
          + "AS u(user_id, dense_id, at, surface, ranking_id, position) "
          + "JOIN items i ON i.dense_id = u.dense_id), "
          + "ins AS (INSERT INTO user_impressions (user_id, item_id, first_seen_at, view_count, last_seen_at, surface, ranking_id, position) "
          + "SELECT user_id, item_id, at, 1, at, surface, ranking_id, position FROM r ON CONFLICT DO NOTHING) "
          + "SELECT count(*) FROM r";

  /**
   * Inserts the first sightings (a replayed one changes nothing); answers how many rows had an item
   * (the others' items were deleted since).
   */
  static int insertFirsts(Connection c, List<FirstRow> rows) throws SQLException {
    if (rows.isEmpty()) return 0;
    int n = rows.size();
    String[] users = new String[n];
    Integer[] dense = new Integer[n];
    Long[] at = new Long[n];
    String[] surfaces = new String[n];
    String[] rankings = new String[n];
    Integer[] positions = new Integer[n];
    for (int i = 0; i < n; i++) {
      FirstRow r = rows.get(i);
      users[i] = r.userId();
      dense[i] = r.denseId();
      at[i] = r.at();
      surfaces[i] = r.surface();
      rankings[i] = r.rankingId();
      positions[i] = r.position();
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_FIRSTS)) {
      ps.setArray(1, c.createArrayOf("text", users));
      ps.setArray(2, c.createArrayOf("integer", dense));
      ps.setArray(3, c.createArrayOf("bigint", at));
      ps.setArray(4, c.createArrayOf("text", surfaces));
      ps.setArray(5, c.createArrayOf("text", rankings));
      ps.setArray(6, c.createArrayOf("integer", positions));
      return (int) single(ps)[0];
    }
  }

  private static final String COUNT_REPEATS =
      "WITH r AS (SELECT u.user_id, u.n, u.at, i.id AS item_id "
          + "FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[]) AS u(user_id, dense_id, n, at) "
          + "LEFT JOIN items i ON i.dense_id = u.dense_id), "
          + "upd AS (UPDATE user_impressions ui SET view_count = ui.view_count + r.n, "
          + "last_seen_at = GREATEST(ui.last_seen_at, "
          + MS.formatted("r.at")
          + ") FROM r WHERE r.item_id IS NOT NULL AND ui.user_id = r.user_id AND ui.item_id = r.item_id "
          + "RETURNING r.user_id, r.item_id) "
          + "SELECT coalesce(sum(r.n) FILTER (WHERE r.item_id IS NULL), 0), "
          + "coalesce(sum(r.n) FILTER (WHERE r.item_id IS NOT NULL AND NOT EXISTS "
          + "(SELECT 1 FROM upd WHERE upd.user_id = r.user_id AND upd.item_id = r.item_id)), 0), "
          + "(SELECT count(DISTINCT (upd.user_id, upd.item_id)) FROM upd) FROM r";

  /** What counting repeats did: views of deleted items, views of rows never written, rows moved. */
  record Repeats(long itemDeleted, long noFirstImpression, long updated) {}

  /**
   * Adds the repeats to their rows' view counts (one row per (user, item) in {@code rows}). The
   * first sightings must be written before, by an earlier statement.
   */
  static Repeats countRepeats(Connection c, Collection<RepeatRow> rows) throws SQLException {
    if (rows.isEmpty()) return new Repeats(0, 0, 0);
    int n = rows.size();
    String[] users = new String[n];
    Integer[] dense = new Integer[n];
    Long[] counts = new Long[n];
    Long[] at = new Long[n];
    int i = 0;
    for (RepeatRow r : rows) {
      users[i] = r.userId();
      dense[i] = r.denseId();
      counts[i] = r.count();
      at[i] = r.at();
      i++;
    }
    try (PreparedStatement ps = c.prepareStatement(COUNT_REPEATS)) {
      ps.setArray(1, c.createArrayOf("text", users));
      ps.setArray(2, c.createArrayOf("integer", dense));
      ps.setArray(3, c.createArrayOf("bigint", counts));
      ps.setArray(4, c.createArrayOf("bigint", at));
      long[] answer = single(ps);
      return new Repeats(answer[0], answer[1], answer[2]);
    }
  }

  private static final String MARK_ACTIVE =
      "INSERT INTO user_activity (user_id, last_active_at) SELECT u.user_id, "
          + MS.formatted("u.at")
          + " FROM unnest(?::text[], ?::bigint[]) AS u(user_id, at) ORDER BY u.user_id "
          + "ON CONFLICT (user_id) DO UPDATE SET last_active_at = GREATEST(user_activity.last_active_at, EXCLUDED.last_active_at), "
          + "version = user_activity.version + 1";

  /**
   * Marks each user active at its time (epoch ms) and its feature snapshot due (a new version).
   * Rows are written in user order so that two writers upserting the same users cannot deadlock.
   */
  static void markActive(Connection c, Map<String, Long> latestByUser) throws SQLException {
    if (latestByUser.isEmpty()) return;
    Map<String, Long> sorted = new TreeMap<>(latestByUser);
    try (PreparedStatement ps = c.prepareStatement(MARK_ACTIVE)) {
      ps.setArray(1, c.createArrayOf("text", sorted.keySet().toArray(new String[0])));
      ps.setArray(2, c.createArrayOf("bigint", sorted.values().toArray(new Long[0])));
      ps.executeUpdate();
    }
  }

  private static final String INSERT_EVENTS =
      "WITH r AS (SELECT u.user_id, u.seq_nr, u.idx, i.id AS item_id, u.type, u.intent, u.ranking_id, "
          + "u.position, u.value, "
          + MS.formatted("u.at")
          + " AS at FROM unnest(?::text[], ?::bigint[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], "
          + "?::int[], ?::bigint[], ?::bigint[]) "
          + "AS u(user_id, seq_nr, idx, dense_id, type, intent, ranking_id, position, value, at) "
          + "JOIN items i ON i.dense_id = u.dense_id), "
          + "ins AS (INSERT INTO events (user_id, seq_nr, idx, item_id, type, intent, ranking_id, position, value, occurred_at) "
          + "SELECT user_id, seq_nr, idx, item_id, type, intent, ranking_id, position, value, at FROM r "
          + "ON CONFLICT DO NOTHING) "
          + "SELECT count(*) FROM r";

  /** Inserts {@code events} rows (a replayed one changes nothing); answers how many had an item. */
  static int insertEvents(Connection c, List<EventRow> rows) throws SQLException {
    if (rows.isEmpty()) return 0;
    int n = rows.size();
    String[] users = new String[n];
    Long[] seqNrs = new Long[n];
    Integer[] idx = new Integer[n];
    Integer[] dense = new Integer[n];
    String[] types = new String[n];
    String[] intents = new String[n];
    String[] rankings = new String[n];
    Integer[] positions = new Integer[n];
    Long[] values = new Long[n];
    Long[] at = new Long[n];
    for (int i = 0; i < n; i++) {
      EventRow r = rows.get(i);
      users[i] = r.userId();
      seqNrs[i] = r.seqNr();
      idx[i] = r.idx();
      dense[i] = r.denseId();
      types[i] = r.type();
      intents[i] = r.intent();
      rankings[i] = r.rankingId();
      positions[i] = r.position();
      values[i] = r.value();
      at[i] = r.at();
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_EVENTS)) {
      ps.setArray(1, c.createArrayOf("text", users));
      ps.setArray(2, c.createArrayOf("bigint", seqNrs));
      ps.setArray(3, c.createArrayOf("integer", idx));
      ps.setArray(4, c.createArrayOf("integer", dense));
      ps.setArray(5, c.createArrayOf("text", types));
      ps.setArray(6, c.createArrayOf("text", intents));
      ps.setArray(7, c.createArrayOf("text", rankings));
      ps.setArray(8, c.createArrayOf("integer", positions));
      ps.setArray(9, c.createArrayOf("bigint", values));
      ps.setArray(10, c.createArrayOf("bigint", at));
      return (int) single(ps)[0];
    }
  }

  /** The one row a statement answers, as longs. */
  private static long[] single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      long[] values = new long[rs.getMetaData().getColumnCount()];
      for (int i = 0; i < values.length; i++) values[i] = rs.getLong(i + 1);
      return values;
    }
  }
}
