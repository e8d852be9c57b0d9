package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static dev.freshet.cluster.Api.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read models end to end: impressions and events sent over HTTP reach {@code user_impressions}
 * and {@code events} through the journal projections, with view counts, context and lag reported.
 */
class ReadModelHttpTest {

  private static EmbeddedDatabase db;
  private static ReadModelTables tables;

  @BeforeAll
  static void startDatabase() {
    db = TestNodes.database();
    tables = new ReadModelTables(db.jdbcUrl());
  }

  @AfterAll
  static void stopDatabase() {
    db.close();
  }

  private static void accepted(Api api, String... events) {
    assertThat(api.post("/v1/events", events(events)).status()).isEqualTo(202);
  }

  @Test
  void impressionsEventsAndViewCountsReachTheReadModelsAndLagIsReported() throws Exception {
    FreshetNode node =
        TestNodes.onDatabase(
            db, Optional.empty(), Map.of("freshet.read-models.feature-snapshots.interval", "1s"));
    try {
      Api api = new Api(node);
      assertThat(api.post("/v1/items", Api.items("rm-", 20, 2, "active")).status()).isEqualTo(200);
      accepted(
          api,
          event(
              "impression",
              "other",
              "rm-5",
              ",\"rankingId\":\"rank-8\",\"position\":4,\"ts\":\"2026-10-02T08:00:00Z\""),
          event(
              "skip",
              "other",
              "rm-6",
              ",\"intent\":\"bad_timing\",\"ts\":\"2026-10-02T08:00:01Z\""));
      tables.awaitCaughtUp(Duration.ofSeconds(30));
      String shown =
          "{\"userId\":\"reader\",\"itemIds\":[\"rm-1\",\"rm-2\",\"rm-3\"],\"surface\":\"home\","
              + "\"rankingId\":\"rank-7\",\"positions\":[1,2,3],\"ts\":\"2026-11-20T10:00:00Z\"}";
      assertThat(api.post("/v1/impressions", shown).status()).isEqualTo(202);
      // rm-1 shown twice more, rm-2 once more: view counts 3 and 2
      assertThat(
              api.post(
                      "/v1/impressions",
                      Api.impressions("reader", List.of("rm-1", "rm-1", "rm-2", "rm-4")))
                  .status())
          .isEqualTo(202);
      accepted(
          api,
          event(
              "click",
              "reader",
              "rm-2",
              ",\"rankingId\":\"rank-7\",\"position\":2,\"intent\":\"curious\",\"ts\":\"2026-11-20T10:00:05Z\""),
          event("dwell", "reader", "rm-2", ",\"value\":42000,\"ts\":\"2026-11-20T10:00:50Z\""));

      tables.awaitCaughtUp(Duration.ofSeconds(30));

      assertThat(
              tables.rows(
                  "SELECT user_id, item_id, view_count, surface, ranking_id, position FROM user_impressions ORDER BY user_id, item_id"))
          .containsExactly(
              "other|rm-5|1|null|rank-8|4",
              "reader|rm-1|3|home|rank-7|1",
              "reader|rm-2|2|home|rank-7|2",
              "reader|rm-3|1|home|rank-7|3",
              "reader|rm-4|1|null|null|null"); // first seen in the second batch, which had no
      // context
      // /v1/impressions is stamped on arrival, /v1/events by the event's ts
      assertThat(
              tables.rows(
                  "SELECT first_seen_at AT TIME ZONE 'UTC' FROM user_impressions WHERE user_id = 'other'"))
          .containsExactly("2026-10-02 08:00:00");
      assertThat(
              tables.count(
                  "SELECT count(*) FROM user_impressions WHERE user_id = 'reader' AND first_seen_at > now() - interval '5 minutes'"))
          .isEqualTo(4);
      // a click and a skip imply the user saw the item, but only impressions are rows of
      // user_impressions
      assertThat(
              tables.rows(
                  "SELECT user_id, item_id, type, intent, ranking_id, position, value, occurred_at AT TIME ZONE 'UTC' "
                      + "FROM events ORDER BY occurred_at"))
          .containsExactly(
              "other|rm-6|skip|bad_timing|null|null|null|2026-10-02 08:00:01",
              "reader|rm-2|click|curious|rank-7|2|null|2026-11-20 10:00:05",
              "reader|rm-2|dwell|null|null|null|42000|2026-11-20 10:00:50");
      // one partition per month written
      assertThat(
              tables.rows(
                  "SELECT relname FROM pg_class WHERE relname LIKE 'events_p%' AND relkind = 'r' ORDER BY relname"))
          .containsExactly("events_p202610", "events_p202611");

      JsonNode pipelines = awaitPipelines(api);
      assertThat(pipelines).hasSize(8);
      long rows = 0;
      for (JsonNode p : pipelines) {
        assertThat(p.path("healthy").asBoolean()).isTrue();
        assertThat(p.path("lagSeconds").asDouble()).isZero();
        assertThat(p.path("pendingEvents").asLong()).isZero();
        rows += p.path("rowsTotal").asLong();
      }
      // 5 first impressions (one of them via /v1/events), 2 view-count updates, 3 events
      assertThat(rows).isEqualTo(10);
      String metrics = api.text("/metrics");
      assertThat(metrics)
          .contains("freshet_pipeline_lag_seconds{projection=\"events\",tag=\"user-0\"} 0.0");

      // the periodic feature snapshots cover both active users, the reader's latest with all of its
      // activity
      // (a run between the reader's impressions and click takes one without the click, and the next
      // another)
      String readerLatest =
          "SELECT seen || '|' || (features->'interactions'->>'click') FROM user_features WHERE user_id = 'reader' "
              + "ORDER BY taken_at DESC LIMIT 1";
      Shards.awaitTrue(
          "feature snapshots",
          Duration.ofSeconds(30),
          () ->
              tables.count("SELECT count(DISTINCT user_id) FROM user_features") == 2
                  && tables.rows(readerLatest).contains("4|1"));
      assertThat(tables.rows(readerLatest)).containsExactly("4|1");

      // activity projected late, with a time before everything already covered (another tag's
      // projection lagging behind), is still due and gets its snapshot
      tables.execute(
          "INSERT INTO user_activity (user_id, last_active_at) VALUES ('late', '2020-01-01T00:00:00Z')");
      Shards.awaitTrue(
          "a feature snapshot of the user whose activity was projected late",
          Duration.ofSeconds(30),
          () -> tables.count("SELECT count(*) FROM user_features WHERE user_id = 'late'") == 1);
    } finally {
      node.stop();
    }
  }

  /**
   * The node's pipeline view once it shows every projection of every tag as the database has them
   * now: the view is sampled every few seconds, and a sample taken between the two users' activity
   * is complete, caught up, and short of the second user's rows.
   */
  private static JsonNode awaitPipelines(Api api) throws InterruptedException {
    JsonNode[] found = new JsonNode[1];
    Shards.awaitTrue(
        "every projection in the pipeline view",
        Duration.ofSeconds(20),
        () -> {
          Api.Response r = api.get("/v1/admin/pipelines");
          JsonNode list = r.body().path("pipelines");
          long projections = 0;
          for (JsonNode p : list) if (p.path("tag").asText().startsWith("user-")) projections++;
          boolean ready = r.status() == 200 && projections == 8;
          long rows = 0;
          for (JsonNode p : list) {
            ready &= p.path("pendingEvents").asLong() == 0;
            if (p.path("tag").asText().startsWith("user-")) rows += p.path("rowsTotal").asLong();
          }
          ready &=
              rows
                  == tables.count(
                      "SELECT COALESCE(sum(rows_total), 0) FROM read_model_offsets WHERE tag LIKE 'user-%'");
          if (ready) {
            var onlyTags = Api.JSON.createArrayNode();
            for (JsonNode p : list) if (p.path("tag").asText().startsWith("user-")) onlyTags.add(p);
            found[0] = onlyTags;
          }
          return ready;
        });
    return found[0];
  }
}
