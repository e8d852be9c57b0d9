package dev.freshet.streams.readmodel;

import dev.freshet.persistence.ErasedUsers;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;

/** What the read models share: user ids from persistence ids, item ids from dense ids, activity. */
final class JournalRows {

  private static final String USER_PREFIX = "User|";

  private JournalRows() {}

  /**
   * The batch without the events of erased users that the erasure deleted from the journal (a batch
   * read before it), after taking the writers' lock that orders this transaction against erasures.
   * Later events of the same user id are a new user's and stay. Call first in a read model's write.
   */
  static List<EventEnvelope> withoutErased(Connection c, List<EventEnvelope> batch)
      throws SQLException {
    Set<String> users = new HashSet<>();
    for (EventEnvelope e : batch) users.add(userId(e));
    Map<String, ErasedUsers.Tombstone> erased = ErasedUsers.lockAndFind(c, users);
    if (erased.isEmpty()) return batch;
    List<EventEnvelope> kept = new ArrayList<>(batch.size());
    for (EventEnvelope e : batch) {
      ErasedUsers.Tombstone tombstone = erased.get(userId(e));
      if (tombstone == null || ((Sequence) e.offset()).value() > tombstone.journalOrdering())
        kept.add(e);
    }
    return kept;
  }

  static String userId(EventEnvelope envelope) {
    String pid = envelope.persistenceId();
    return pid.startsWith(USER_PREFIX) ? pid.substring(USER_PREFIX.length()) : pid;
  }

  /**
   * The catalog ids of these dense ids, in one query. An id missing from the answer belongs to an
   * item deleted since the event was written: its rows are skipped, not failed.
   */
  static Map<Integer, String> itemIds(Connection c, Collection<Integer> denseIds)
      throws SQLException {
    Map<Integer, String> ids = new HashMap<>();
    if (denseIds.isEmpty()) return ids;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT dense_id, id FROM items WHERE dense_id = ANY(?)")) {
      Array array = c.createArrayOf("integer", denseIds.toArray());
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) ids.put(rs.getInt(1), rs.getString(2));
      }
    }
    return ids;
  }

  /**
   * Marks users active at the journal write times of their events, and their feature snapshots due
   * (a new version). Users are written in sorted order so that two projections upserting the same
   * users cannot deadlock.
   */
  static void markActive(Connection c, Collection<EventEnvelope> batch) throws SQLException {
    Map<String, Long> latest = new TreeMap<>();
    for (EventEnvelope e : batch) latest.merge(userId(e), e.timestamp(), Math::max);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO user_activity (user_id, last_active_at) VALUES (?, 'epoch'::timestamptz + ? * interval '1 millisecond') "
                + "ON CONFLICT (user_id) DO UPDATE SET last_active_at = GREATEST(user_activity.last_active_at, EXCLUDED.last_active_at), "
                + "version = user_activity.version + 1")) {
      for (Map.Entry<String, Long> e : latest.entrySet()) {
        ps.setString(1, e.getKey());
        ps.setLong(2, e.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
