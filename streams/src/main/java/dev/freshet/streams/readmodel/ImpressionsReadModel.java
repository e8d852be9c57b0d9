package dev.freshet.streams.readmodel;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity.ImpressionsRecorded;
import dev.freshet.actors.user.UserEntity.ImpressionsRepeated;
import dev.freshet.actors.user.UserEntity.ImpressionsShown;
import dev.freshet.actors.user.UserEntity.InteractionsRecorded;
import dev.freshet.persistence.DashboardRollups;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * {@code user_impressions}: one row per (user, item) from its first-time impression (either ingest
 * route), its view count and last sighting moved by each repeat. A batch is one journal event
 * ({@code ImpressionsShown}, or {@code InteractionsRecorded} with its repeats); journals written
 * before hold the legacy {@code ImpressionsRecorded} and {@code ImpressionsRepeated}, read alike.
 * Within a batch every first sighting is written before any repeat, which is the journal's own
 * order for one (user, item). It also keeps {@code user_activity}, since every user event the read
 * models project passes through here. The events become rows here ({@link #firsts}, {@link
 * #repeats}); {@link SetWrites} writes them, one statement per kind of row and batch.
 */
public final class ImpressionsReadModel implements ReadModel {

  public static final String NAME = "user_impressions";

  private record First(
      String userId, int denseId, long at, String surface, String rankingId, Integer position) {}

  private record Key(String userId, int denseId) {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void partitionsNeeded(List<EventEnvelope> batch, PartitionNeeds needs) {
    for (First f : firsts(batch)) needs.add(NAME, f.at());
  }

  @Override
  public BatchResult write(Connection c, List<EventEnvelope> read) throws SQLException {
    List<EventEnvelope> batch = JournalRows.withoutErased(c, read);
    BatchResult result = new BatchResult();
    result.skipped("user_erased", read.size() - batch.size());
    if (batch.isEmpty()) return result;
    // the events as rows ...
    List<SetWrites.FirstRow> firsts =
        firsts(batch).stream()
            .map(
                f ->
                    new SetWrites.FirstRow(
                        f.userId(), f.denseId(), f.at(), f.surface(), f.rankingId(), f.position()))
            .toList();
    List<SetWrites.RepeatRow> repeats = new ArrayList<>();
    repeats(batch)
        .forEach(
            (key, counted) ->
                repeats.add(
                    new SetWrites.RepeatRow(key.userId(), key.denseId(), counted[0], counted[1])));
    // ... written with one statement per kind of row, first sightings before repeats
    int placed = SetWrites.insertFirsts(c, firsts);
    result.wrote(placed);
    result.skipped("item_deleted", firsts.size() - placed);
    SetWrites.Repeats counted = SetWrites.countRepeats(c, repeats);
    result.skipped("item_deleted", (int) counted.itemDeleted());
    // the first sighting was never projected (its item was gone then): nothing to count against
    result.skipped("no_first_impression", (int) counted.noFirstImpression());
    result.wrote((int) counted.updated());
    SetWrites.markActive(c, JournalRows.latestByUser(batch));
    // the dashboard's hourly counts, in this transaction: a replayed batch adds nothing twice
    DashboardRollups.Activity activity = new DashboardRollups.Activity();
    for (SetWrites.FirstRow f : firsts) activity.impression(f.userId(), f.at());
    for (SetWrites.RepeatRow r : repeats) activity.user(r.userId(), r.at());
    DashboardRollups.add(c, activity);
    return result;
  }

  private static List<First> firsts(List<EventEnvelope> batch) {
    List<First> firsts = new ArrayList<>();
    for (EventEnvelope envelope : batch) {
      String user = JournalRows.userId(envelope);
      if (envelope.event() instanceof ImpressionsShown e) {
        for (int i = 0; i < e.firstTime().length; i++) {
          Integer position = e.positions() == null ? null : e.positions()[i];
          firsts.add(
              new First(
                  user, e.firstTime()[i], e.atMillis(), e.surface(), e.rankingId(), position));
        }
      } else if (envelope.event() instanceof ImpressionsRecorded e) { // legacy
        for (int i = 0; i < e.itemIds().length; i++) {
          Integer position = e.positions() == null ? null : e.positions()[i];
          firsts.add(
              new First(user, e.itemIds()[i], e.atMillis(), e.surface(), e.rankingId(), position));
        }
      } else if (envelope.event() instanceof InteractionsRecorded e) {
        for (Interaction i : e.interactions()) {
          if (i.type() == InteractionType.IMPRESSION) {
            firsts.add(new First(user, i.itemId(), i.at(), null, i.rankingId(), i.position()));
          }
        }
      }
    }
    return firsts;
  }

  private static Map<Key, long[]> repeats(List<EventEnvelope> batch) {
    Map<Key, long[]> repeats = new LinkedHashMap<>();
    for (EventEnvelope envelope : batch) {
      Object event = envelope.event();
      if (event instanceof ImpressionsShown e) {
        countRepeats(repeats, JournalRows.userId(envelope), e.repeated(), e.atMillis());
      } else if (event instanceof InteractionsRecorded e) {
        countRepeats(repeats, JournalRows.userId(envelope), e.repeated(), e.repeatedAt());
      } else if (event instanceof ImpressionsRepeated e) { // legacy
        countRepeats(repeats, JournalRows.userId(envelope), e.itemIds(), e.atMillis());
      }
    }
    return repeats;
  }

  private static void countRepeats(Map<Key, long[]> repeats, String user, int[] ids, long at) {
    for (int id : ids) {
      long[] counted = repeats.computeIfAbsent(new Key(user, id), k -> new long[2]);
      counted[0]++;
      counted[1] = Math.max(counted[1], at);
    }
  }
}
