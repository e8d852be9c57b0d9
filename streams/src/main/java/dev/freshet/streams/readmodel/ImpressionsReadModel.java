package dev.freshet.streams.readmodel;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity.ImpressionsRecorded;
import dev.freshet.actors.user.UserEntity.ImpressionsRepeated;
import dev.freshet.actors.user.UserEntity.ImpressionsShown;
import dev.freshet.actors.user.UserEntity.InteractionsRecorded;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * {@code user_impressions}: one row per (user, item) from its first-time impression (either ingest
 * route), its view count and last sighting moved by each repeat. A batch is one journal event
 * ({@code ImpressionsShown}, or {@code InteractionsRecorded} with its repeats); journals written
 * before hold the legacy {@code ImpressionsRecorded} and {@code ImpressionsRepeated}, read alike.
 * Within a batch every first sighting is written before any repeat, which is the journal's own
 * order for one (user, item). It also keeps {@code user_activity}, since every user event the read
 * models project passes through here.
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
    List<First> firsts = firsts(batch);
    Map<Key, long[]> repeats = repeats(batch); // count, latest time
    Set<Integer> dense = new HashSet<>();
    firsts.forEach(f -> dense.add(f.denseId()));
    repeats.keySet().forEach(k -> dense.add(k.denseId()));
    Map<Integer, String> items = JournalRows.itemIds(c, dense);

    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO user_impressions (user_id, item_id, first_seen_at, view_count, last_seen_at, surface, ranking_id, position) "
                + "VALUES (?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      int n = 0;
      for (First f : firsts) {
        String item = items.get(f.denseId());
        if (item == null) {
          result.skipped("item_deleted", 1);
          continue;
        }
        Timestamp at = new Timestamp(f.at());
        ps.setString(1, f.userId());
        ps.setString(2, item);
        ps.setTimestamp(3, at);
        ps.setTimestamp(4, at);
        ps.setString(5, f.surface());
        ps.setString(6, f.rankingId());
        if (f.position() == null) ps.setNull(7, Types.INTEGER);
        else ps.setInt(7, f.position());
        ps.addBatch();
        n++;
      }
      if (n > 0) ps.executeBatch();
      result.wrote(n);
    }

    if (!repeats.isEmpty()) {
      List<Key> keys = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE user_impressions SET view_count = view_count + ?, last_seen_at = GREATEST(last_seen_at, ?) "
                  + "WHERE user_id = ? AND item_id = ?")) {
        for (Map.Entry<Key, long[]> e : repeats.entrySet()) {
          String item = items.get(e.getKey().denseId());
          if (item == null) {
            result.skipped("item_deleted", (int) e.getValue()[0]);
            continue;
          }
          ps.setInt(1, (int) e.getValue()[0]);
          ps.setTimestamp(2, new Timestamp(e.getValue()[1]));
          ps.setString(3, e.getKey().userId());
          ps.setString(4, item);
          ps.addBatch();
          keys.add(e.getKey());
        }
        int[] counts = keys.isEmpty() ? new int[0] : ps.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          // the first sighting was never projected (its item was gone then): nothing to count
          // against
          if (counts[i] == 0)
            result.skipped("no_first_impression", (int) repeats.get(keys.get(i))[0]);
          else result.wrote(1);
        }
      }
    }
    if (!batch.isEmpty()) JournalRows.markActive(c, batch);
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
