package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static dev.freshet.cluster.Api.events;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one ingest batch costs the journal: {@code event_journal} and {@code event_tag} rows per
 * batch, counted in PostgreSQL after batches of 20 impressions, half of them repeats, and an events
 * batch mixing first-time and repeated impressions with a click. Written against the HTTP API and
 * the tables only, so that the same test measures any version.
 */
class JournalRowsPerBatchTest extends SingleNodeTest {

  private static final int BATCHES = 10;

  private static long journalRows(String user) {
    return new ReadModelTables(db.jdbcUrl())
        .count("SELECT count(*) FROM event_journal WHERE persistence_id = 'User|" + user + "'");
  }

  private static long tagRows(String user) {
    return new ReadModelTables(db.jdbcUrl())
        .count(
            "SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id "
                + "WHERE j.persistence_id = 'User|"
                + user
                + "'");
  }

  @Test
  void anImpressionBatchIsOneJournalRowAndOneTagRowWithRepeatsCountedAsViews() {
    // a large pool, so that no coverage threshold is crossed (a crossing journals its own event)
    for (int from = 0; from < 2_000; from += 1_000) {
      assertThat(
              api.post("/v1/items", Api.items("jr-" + from / 1_000 + "-", 1_000, 4, "active"))
                  .status())
          .isEqualTo(200);
    }
    String user = "per-batch";
    for (int b = 0; b < BATCHES; b++) {
      // from the second batch on, 10 of the 20 were shown in the batch before
      List<String> ids = Api.ids("jr-0-", 10 * b, 10 * b + 20);
      var answer = api.post("/v1/impressions", Api.impressions(user, ids));
      assertThat(answer.status()).isEqualTo(202);
      assertThat(answer.body().path("duplicates").asInt()).isEqualTo(b == 0 ? 0 : 10);
    }
    long journal = journalRows(user);
    long tags = tagRows(user);
    System.out.printf(
        "MEASURED impressions: %d batches of 20 (10 repeats from the 2nd on): %d event_journal rows,"
            + " %d event_tag rows%n",
        BATCHES, journal, tags);
    assertThat(journal).isEqualTo(BATCHES);
    assertThat(tags).isEqualTo(BATCHES);

    String mixed = "mixed-batch";
    assertThat(api.post("/v1/impressions", Api.impressions(mixed, List.of("jr-1-1"))).status())
        .isEqualTo(202);
    assertThat(
            api.post(
                    "/v1/events",
                    events(
                        event("impression", mixed, "jr-1-1"), // a repeat
                        event("impression", mixed, "jr-1-2"),
                        event("click", mixed, "jr-1-2")))
                .status())
        .isEqualTo(202);
    System.out.printf(
        "MEASURED events: 1 impressions batch + 1 events batch (repeat, new, click): %d event_journal"
            + " rows, %d event_tag rows%n",
        journalRows(mixed), tagRows(mixed));
    assertThat(journalRows(mixed)).isEqualTo(2);
    assertThat(tagRows(mixed)).isEqualTo(2);

    // the repeats still count as views in the read model
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    tables.awaitCaughtUp(Duration.ofSeconds(30));
    assertThat(
            tables.rows(
                "SELECT item_id, view_count FROM user_impressions WHERE user_id = '"
                    + user
                    + "' AND item_id IN ('jr-0-0', 'jr-0-10', 'jr-0-109') ORDER BY item_id"))
        .containsExactly("jr-0-0|1", "jr-0-10|2", "jr-0-109|1");
    assertThat(
            tables.rows(
                "SELECT item_id, view_count FROM user_impressions WHERE user_id = '"
                    + mixed
                    + "' ORDER BY item_id"))
        .containsExactly("jr-1-1|2", "jr-1-2|1");
  }
}
