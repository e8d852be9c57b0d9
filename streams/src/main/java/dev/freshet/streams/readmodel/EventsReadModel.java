package dev.freshet.streams.readmodel;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity.InteractionsRecorded;
import dev.freshet.persistence.DashboardRollups;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * {@code events}: every journaled interaction but impressions (those are {@code user_impressions}),
 * keyed by (user, journal sequence number, index in the event), so a replayed batch adds nothing. A
 * batch's rows are written by one statement ({@link SetWrites#insertEvents}).
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
    BatchResult result = new BatchResult();
    result.skipped("user_erased", read.size() - batch.size());
    List<SetWrites.EventRow> rows = rows(batch);
    int placed = SetWrites.insertEvents(c, rows);
    result.wrote(placed);
    result.skipped("item_deleted", rows.size() - placed);
    // the dashboard's hourly counts, in this transaction: a replayed batch adds nothing twice
    DashboardRollups.Activity activity = new DashboardRollups.Activity();
    for (SetWrites.EventRow row : rows) activity.interaction(row.userId(), row.at());
    DashboardRollups.add(c, activity);
    return result;
  }

  /** The events' rows: each interaction but impressions, where it sits in the journal. */
  private static List<SetWrites.EventRow> rows(List<EventEnvelope> batch) {
    List<SetWrites.EventRow> rows = new ArrayList<>();
    for (EventEnvelope envelope : batch) {
      if (!(envelope.event() instanceof InteractionsRecorded e)) continue;
      String user = JournalRows.userId(envelope);
      List<Interaction> interactions = e.interactions();
      for (int idx = 0; idx < interactions.size(); idx++) {
        Interaction i = interactions.get(idx);
        if (i.type() == InteractionType.IMPRESSION) continue;
        rows.add(
            new SetWrites.EventRow(
                user,
                envelope.sequenceNr(),
                idx,
                i.itemId(),
                i.type().wire(),
                i.intent(),
                i.rankingId(),
                i.position(),
                i.value(),
                i.at()));
      }
    }
    return rows;
  }
}
