package dev.freshet.streams.readmodel;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity.InteractionsRecorded;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * {@code events}: every journaled interaction but impressions (those are {@code user_impressions}),
 * keyed by (user, journal sequence number, index in the event), so a replayed batch adds nothing.
 */
public final class EventsReadModel implements ReadModel {

  public static final String NAME = "events";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void partitionsNeeded(List<EventEnvelope> batch, PartitionNeeds needs) {
    for (EventEnvelope envelope : batch) {
      if (envelope.event() instanceof InteractionsRecorded e) {
        for (Interaction i : e.interactions())
          if (i.type() != InteractionType.IMPRESSION) needs.add(NAME, i.at());
      }
    }
  }

  @Override
  public BatchResult write(Connection c, List<EventEnvelope> read) throws SQLException {
    List<EventEnvelope> batch = JournalRows.withoutErased(c, read);
    Set<Integer> dense = new HashSet<>();
    for (EventEnvelope envelope : batch) {
      if (envelope.event() instanceof InteractionsRecorded e)
        e.interactions().forEach(i -> dense.add(i.itemId()));
    }
    Map<Integer, String> items = JournalRows.itemIds(c, dense);
    BatchResult result = new BatchResult();
    result.skipped("user_erased", read.size() - batch.size());
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO events (user_id, seq_nr, idx, item_id, type, intent, ranking_id, position, value, occurred_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      int n = 0;
      for (EventEnvelope envelope : batch) {
        if (!(envelope.event() instanceof InteractionsRecorded e)) continue;
        String user = JournalRows.userId(envelope);
        List<Interaction> interactions = e.interactions();
        for (int idx = 0; idx < interactions.size(); idx++) {
          Interaction i = interactions.get(idx);
          if (i.type() == InteractionType.IMPRESSION) continue;
          String item = items.get(i.itemId());
          if (item == null) {
            result.skipped("item_deleted", 1);
            continue;
          }
          ps.setString(1, user);
          ps.setLong(2, envelope.sequenceNr());
          ps.setInt(3, idx);
          ps.setString(4, item);
          ps.setString(5, i.type().wire());
          ps.setString(6, i.intent());
          ps.setString(7, i.rankingId());
          if (i.position() == null) ps.setNull(8, Types.INTEGER);
          else ps.setInt(8, i.position());
          if (i.value() == null) ps.setNull(9, Types.BIGINT);
          else ps.setLong(9, i.value());
          ps.setTimestamp(10, new Timestamp(i.at()));
          ps.addBatch();
          n++;
        }
      }
      if (n > 0) ps.executeBatch();
      result.wrote(n);
    }
    return result;
  }
}
