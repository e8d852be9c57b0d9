package dev.freshet.streams.readmodel;

import dev.freshet.persistence.ErasedUsers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;

/** What the read models share: the erased users' events left out, user ids, activity times. */
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
   * The latest journal write time (epoch ms) of each user's events in {@code batch}: when the user
   * was last active.
   */
  static Map<String, Long> latestByUser(Collection<EventEnvelope> batch) {
    Map<String, Long> latest = new TreeMap<>();
    for (EventEnvelope e : batch) latest.merge(userId(e), e.timestamp(), Math::max);
    return latest;
  }
}
