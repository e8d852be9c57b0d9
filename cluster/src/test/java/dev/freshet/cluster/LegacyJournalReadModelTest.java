package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.ReadModelPartitions;
import dev.freshet.streams.readmodel.ImpressionsReadModel;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.Test;

/**
 * A journal written before one event per batch (first-time and repeated impressions as two events)
 * projects into the same {@code user_impressions} rows, view counts included, as the same batches
 * written as one event each.
 */
class LegacyJournalReadModelTest extends SingleNodeTest {

  private static EventEnvelope envelope(String user, long seq, Object event) {
    return EventEnvelope.apply(Offset.sequence(seq), "User|" + user, seq, event, 0L);
  }

  private static void write(List<EventEnvelope> batch) throws Exception {
    try (Connection c = node.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      new ImpressionsReadModel().write(c, batch);
      c.commit();
    }
  }

  @Test
  void legacyEventsAndOneEventPerBatchMakeTheSameRows() throws Exception {
    assertThat(api.post("/v1/items", Api.items("lg-", 5, 2, "active")).status()).isEqualTo(200);
    int[] d = new int[5];
    for (int i = 0; i < 5; i++) d[i] = UserEntities.dense(node, "lg-" + i);
    long t = System.currentTimeMillis() - 60_000;
    new ReadModelPartitions(node.database().dataSource())
        .ensure("user_impressions", List.of(Instant.ofEpochMilli(t)));
    Interaction shownByEvent =
        new Interaction(d[2], InteractionType.IMPRESSION, t + 2, null, null, "r-2", 4);
    Interaction click = new Interaction(d[2], InteractionType.CLICK, t + 3, null, null, "r-2", 4);

    String old = "legacy-journal";
    write(
        List.of(
            envelope(
                old,
                1,
                new UserEntity.ImpressionsRecorded(
                    new int[] {d[0], d[1]}, t, new int[] {0, 1}, "home", "r-1")),
            envelope(old, 2, new UserEntity.ImpressionsRepeated(new int[] {d[0]}, t)),
            envelope(old, 3, new UserEntity.ImpressionsRepeated(new int[] {d[1], d[0]}, t + 1)),
            envelope(old, 4, new UserEntity.InteractionsRecorded(List.of(shownByEvent, click))),
            envelope(old, 5, new UserEntity.ImpressionsRepeated(new int[] {d[0]}, t + 2))));

    String now = "one-event-journal";
    write(
        List.of(
            envelope(
                now,
                1,
                new UserEntity.ImpressionsShown(
                    new int[] {d[0], d[1]}, new int[] {d[0]}, t, new int[] {0, 1}, "home", "r-1")),
            envelope(
                now,
                2,
                new UserEntity.ImpressionsShown(
                    new int[0], new int[] {d[1], d[0]}, t + 1, null, null, null)),
            envelope(
                now,
                3,
                new UserEntity.InteractionsRecorded(
                    List.of(shownByEvent, click), Map.of(), new int[] {d[0]}, t + 2))));

    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    List<String> rows = new ArrayList<>();
    for (String user : List.of(old, now)) {
      rows.add(
          String.join(
              ",",
              tables.rows(
                  "SELECT item_id, view_count, surface, ranking_id, position, "
                      + "extract(epoch FROM last_seen_at - first_seen_at) * 1000 "
                      + "FROM user_impressions WHERE user_id = '"
                      + user
                      + "' ORDER BY item_id")));
    }
    assertThat(rows.get(1)).isEqualTo(rows.get(0));
    assertThat(rows.get(0))
        .startsWith("lg-0|4|home|r-1|0|")
        .contains("lg-1|2|home|r-1|1|", "lg-2|1|null|r-2|4|");
  }
}
