package dev.freshet.streams.readmodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;

/**
 * {@code read_model_dead_letters}: the journal events a projection set aside because it cannot
 * write them, with the reason, so that one event never stops a projection and none is dropped
 * unseen.
 */
final class DeadLetters {

  /** The event's time is one no partition can be made for (out of PostgreSQL's or Java's range). */
  static final String PARTITION_OUT_OF_RANGE = "partition_out_of_range";

  /**
   * The database refused the event's rows as data (a value too long, out of range, a constraint).
   */
  static final String INVALID_ROW = "invalid_row";

  static final List<String> REASONS = List.of(PARTITION_OUT_OF_RANGE, INVALID_ROW);

  private static final int MAX_TEXT = 2_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One event set aside, and why. */
  record DeadLetter(EventEnvelope envelope, String reason, String detail) {}

  private DeadLetters() {}

  /**
   * Writes {@code letters} on the batch's connection, inside its transaction; the events of users
   * erased since are dropped like their rows would be. Answers how many rows are new, by reason (a
   * replayed batch finds its dead letters there already).
   */
  static Map<String, Integer> write(
      Connection c, String projection, String tag, List<DeadLetter> letters) throws SQLException {
    Map<String, Integer> written = new TreeMap<>();
    if (letters.isEmpty()) return written;
    Set<EventEnvelope> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    kept.addAll(JournalRows.withoutErased(c, letters.stream().map(DeadLetter::envelope).toList()));
    List<DeadLetter> rows = letters.stream().filter(l -> kept.contains(l.envelope())).toList();
    if (rows.isEmpty()) return written;
    int n = rows.size();
    String[] pids = new String[n];
    Long[] seqNrs = new Long[n];
    Long[] orderings = new Long[n];
    String[] users = new String[n];
    String[] reasons = new String[n];
    String[] details = new String[n];
    String[] events = new String[n];
    for (int i = 0; i < n; i++) {
      DeadLetter letter = rows.get(i);
      EventEnvelope e = letter.envelope();
      pids[i] = e.persistenceId();
      seqNrs[i] = e.sequenceNr();
      orderings[i] = ((Sequence) e.offset()).value();
      users[i] = JournalRows.userId(e);
      reasons[i] = letter.reason();
      details[i] = truncate(letter.detail());
      events[i] = truncate(describe(e.event()));
    }
    // one statement for all; the rows it answers are the new ones (a replayed batch finds its own)
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO read_model_dead_letters (projection, tag, persistence_id, seq_nr, journal_ordering, user_id, "
                + "reason, detail, event) SELECT ?, ?, u.* FROM unnest(?::text[], ?::bigint[], ?::bigint[], "
                + "?::text[], ?::text[], ?::text[], ?::text[]) AS u ON CONFLICT DO NOTHING RETURNING reason")) {
      ps.setString(1, projection);
      ps.setString(2, tag);
      ps.setArray(3, c.createArrayOf("text", pids));
      ps.setArray(4, c.createArrayOf("bigint", seqNrs));
      ps.setArray(5, c.createArrayOf("bigint", orderings));
      ps.setArray(6, c.createArrayOf("text", users));
      ps.setArray(7, c.createArrayOf("text", reasons));
      ps.setArray(8, c.createArrayOf("text", details));
      ps.setArray(9, c.createArrayOf("text", events));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) written.merge(rs.getString(1), 1, Integer::sum);
      }
    }
    return written;
  }

  /** What went wrong, with the causes' messages (a StoreException's own says little). */
  static String detail(Throwable error) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = error; t != null && s.length() < MAX_TEXT; t = t.getCause()) {
      if (s.length() > 0) s.append(" <- ");
      s.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) break;
    }
    return s.toString();
  }

  /** The event as JSON with its type, for whoever looks into why it was set aside. */
  static String describe(Object event) {
    try {
      return "{\"type\":\""
          + event.getClass().getSimpleName()
          + "\",\"event\":"
          + JSON.writeValueAsString(event)
          + "}";
    } catch (Exception e) {
      return String.valueOf(event);
    }
  }

  /**
   * At most MAX_TEXT characters, and no NUL, which PostgreSQL's text refuses (that would fail the
   * batch).
   */
  private static String truncate(String s) {
    return (s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s).replace((char) 0, '\uFFFD');
  }
}
