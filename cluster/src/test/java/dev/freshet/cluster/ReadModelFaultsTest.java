package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The projections under faults: bad rows, a PostgreSQL restart, and a node shutting down. */
class ReadModelFaultsTest {

  @Test
  void anEventForAnItemDeletedSinceIsSkippedAndCountedAndTheProjectionGoesOn() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    try {
      FreshetNode before =
          TestNodes.onDatabase(db, Optional.empty(), Map.of("freshet.read-models.enabled", false));
      try {
        Api api = new Api(before);
        assertThat(api.post("/v1/items", Api.items("d-", 10, 2, "active")).status()).isEqualTo(200);
        assertThat(
                api.post("/v1/impressions", Api.impressions("del", List.of("d-1", "d-2", "d-3")))
                    .status())
            .isEqualTo(202);
        assertThat(
                api.post(
                        "/v1/events",
                        "{\"events\":["
                            + event("click", "del", "d-1")
                            + ","
                            + event("click", "del", "d-2")
                            + "]}")
                    .status())
            .isEqualTo(202);
      } finally {
        before.stop();
      }
      // an operator removes d-2 from the catalog for good before any projection ran
      try (var c = tables.connect();
          var s = c.createStatement()) {
        s.execute("DELETE FROM item_status_history WHERE item_id = 'd-2'");
        s.execute("DELETE FROM items WHERE id = 'd-2'");
      }

      FreshetNode after = TestNodes.onDatabase(db, Optional.empty(), Map.of());
      try {
        Api api = new Api(after);
        tables.awaitCaughtUp(Duration.ofSeconds(30));
        assertThat(tables.rows("SELECT item_id FROM user_impressions ORDER BY item_id"))
            .containsExactly("d-1", "d-3");
        assertThat(tables.rows("SELECT item_id FROM events")).containsExactly("d-1");
        assertThat(
                tables.rows(
                    "SELECT projection, sum(skipped_total) FROM read_model_offsets WHERE tag LIKE 'user-%' GROUP BY 1 ORDER BY 1"))
            .containsExactly("events|1", "user_impressions|1");
        String metrics = api.text("/metrics");
        assertThat(metrics)
            .contains(
                "freshet_pipeline_skipped_rows_total{projection=\"events\",reason=\"item_deleted\"} 1.0")
            .contains(
                "freshet_pipeline_skipped_rows_total{projection=\"user_impressions\",reason=\"item_deleted\"} 1.0");

        // the projection goes on
        assertThat(
                api.post("/v1/events", "{\"events\":[" + event("like", "del", "d-3") + "]}")
                    .status())
            .isEqualTo(202);
        tables.awaitCaughtUp(Duration.ofSeconds(30));
        assertThat(tables.rows("SELECT item_id, type FROM events ORDER BY item_id"))
            .containsExactly("d-1|click", "d-3|like");
      } finally {
        after.stop();
      }
    } finally {
      db.close();
    }
  }

  @Test
  void aPostgresRestartRestartsTheProjectionsFromTheirCommittedOffsets() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    int port = db.port();
    var dataDirectory = db.dataDirectory();
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    FreshetNode node =
        TestNodes.onDatabase(
            db,
            Optional.empty(),
            Map.of(
                "freshet.read-models.restart.min-backoff",
                "200ms",
                "freshet.read-models.restart.max-backoff",
                "2s"));
    EmbeddedDatabase restarted = null;
    try {
      Api api = new Api(node);
      assertThat(api.post("/v1/items", Api.items("p-", 20, 2, "active")).status()).isEqualTo(200);
      assertThat(api.post("/v1/impressions", Api.impressions("pg", List.of("p-1", "p-2"))).status())
          .isEqualTo(202);
      tables.awaitCaughtUp(Duration.ofSeconds(30));

      db.close(); // PostgreSQL goes away under the running node...
      Thread.sleep(1_500);
      restarted =
          EmbeddedDatabase.start(
              dataDirectory, port); // ...and comes back on the same port and data

      Shards.awaitTrue(
          "ingest accepted again",
          Duration.ofSeconds(60),
          () ->
              api.post("/v1/impressions", Api.impressions("pg", List.of("p-3", "p-4"))).status()
                  == 202);
      tables.awaitCaughtUp(Duration.ofSeconds(60));
      assertThat(
              tables.rows(
                  "SELECT item_id FROM user_impressions WHERE user_id = 'pg' ORDER BY item_id"))
          .containsExactly("p-1", "p-2", "p-3", "p-4");
      // an unreachable database is retried, never a reason to set an event aside
      assertThat(tables.count("SELECT count(*) FROM read_model_dead_letters")).isZero();
      Api.Response pipelines = api.get("/v1/admin/pipelines");
      assertThat(pipelines.status()).isEqualTo(200);
    } finally {
      node.stop();
      if (restarted != null) restarted.close();
    }
  }

  @Test
  void coordinatedShutdownCommitsTheBatchInHand() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    try {
      // a batch closes only when full or after a minute: only a drain writes it before that
      FreshetNode node =
          TestNodes.onDatabase(
              db,
              Optional.empty(),
              Map.of(
                  "freshet.read-models.batch-size",
                  100_000,
                  "freshet.read-models.max-delay",
                  "60s"));
      try {
        Api api = new Api(node);
        assertThat(api.post("/v1/items", Api.items("s-", 50, 2, "active")).status()).isEqualTo(200);
        for (int u = 0; u < 20; u++) {
          assertThat(
                  api.post(
                          "/v1/impressions", Api.impressions("drain-" + u, Api.ids("s-", u, u + 5)))
                      .status())
              .isEqualTo(202);
        }
        Thread.sleep(
            3_000); // the read journal polls every 500 ms: the events are in the open batches now
        assertThat(tables.count("SELECT count(*) FROM user_impressions")).isZero();
      } finally {
        node.stop();
      }
      assertThat(tables.count("SELECT count(*) FROM user_impressions")).isEqualTo(100);
      assertThat(tables.caughtUp(2, 4)).isTrue();
    } finally {
      db.close();
    }
  }
}
