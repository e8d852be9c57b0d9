package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Idempotency-Key on both ingest routes and catalog upserts, against real PostgreSQL, across a node
 * restart; import keys across API keys.
 */
class IdempotencyTest {

  private static final String ADMIN_KEY = "idempotency-admin-key-0123456789abcdef";
  private static final Map<String, Object> AUTH =
      Map.of("freshet.auth.enabled", "on", "freshet.auth.admin-key", ADMIN_KEY);

  @Test
  void aReplayedBatchGetsTheFirstAnswerAndChangesNothingEvenAfterARestart() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    try {
      FreshetNode node = TestNodes.onDatabase(db, Optional.empty(), AUTH);
      Api admin = new Api(node).withKey(ADMIN_KEY);
      admin.post("/v1/items", Api.items("item", 10, 2, "active"));
      String ingestKey =
          admin
              .post("/v1/admin/keys", "{\"name\":\"web\",\"scopes\":[\"ingest\"]}")
              .body()
              .path("key")
              .asText();
      Api ingest = new Api(node).withKey(ingestKey);

      String impressions = Api.impressions("idem", List.of("item1", "item2"));
      HttpResponse<String> first = post(ingest, "/v1/impressions", impressions, "batch-1");
      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(first.body()).isEqualTo("{\"recorded\":2,\"duplicates\":0,\"stored\":true}");
      assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();

      // without the key a repeat is a duplicate; with it, the first answer comes back
      HttpResponse<String> replay = post(ingest, "/v1/impressions", impressions, "batch-1");
      assertThat(replay.statusCode()).isEqualTo(202);
      assertThat(replay.body()).isEqualTo(first.body());
      assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");

      String events =
          "{\"events\":[{\"type\":\"click\",\"userId\":\"idem\",\"itemId\":\"item1\"},{\"type\":\"like\",\"userId\":\"idem\",\"itemId\":\"item2\"}]}";
      HttpResponse<String> firstEvents = post(ingest, "/v1/events", events, "events-1");
      assertThat(firstEvents.statusCode()).isEqualTo(202);
      assertThat(post(ingest, "/v1/events", events, "events-1").body())
          .isEqualTo(firstEvents.body());

      // the same key for a different request is refused and changes nothing
      HttpResponse<String> reused =
          post(ingest, "/v1/events", events.replace("like", "share"), "events-1");
      assertThat(reused.statusCode()).isEqualTo(422);
      assertThat(reused.body()).contains("\"field\":\"Idempotency-Key\"");
      assertThat(post(ingest, "/v1/impressions", impressions, "x".repeat(256)).statusCode())
          .isEqualTo(400);
      // keys belong to their client: another key's batch-1 is a new batch
      String otherKey =
          admin
              .post("/v1/admin/keys", "{\"name\":\"app\",\"scopes\":[\"ingest\"]}")
              .body()
              .path("key")
              .asText();
      HttpResponse<String> other =
          post(new Api(node).withKey(otherKey), "/v1/impressions", impressions, "batch-1");
      assertThat(other.body()).isEqualTo("{\"recorded\":0,\"duplicates\":2,\"stored\":true}");
      assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
      long journaled = Journal.events(node.system(), "idem").size();

      node.stop();
      node = TestNodes.onDatabase(db, Optional.empty(), AUTH);
      try {
        Api again = new Api(node).withKey(ingestKey);
        HttpResponse<String> afterRestart = post(again, "/v1/events", events, "events-1");
        assertThat(afterRestart.statusCode()).isEqualTo(202);
        assertThat(afterRestart.body()).isEqualTo(firstEvents.body());
        assertThat(afterRestart.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(post(again, "/v1/impressions", impressions, "batch-1").body())
            .isEqualTo(first.body());
        assertThat(Journal.events(node.system(), "idem")).hasSize((int) journaled);
      } finally {
        node.stop();
      }
    } finally {
      db.close();
    }
  }

  /**
   * The case the key store alone cannot see: the write was durable but its answer was lost (an ask
   * timeout gives the key back, as the edge cannot know the entity wrote it). Giving the key back
   * is done here by deleting its row; sent again, the batch is answered as the first time and
   * neither the journal nor the read model's view counts see it twice, for one user's impressions
   * and for events whose users had, or had not, written their part.
   */
  @Test
  void aBatchSentAgainAfterItsKeyWasGivenBackIsRecordedOnce() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    FreshetNode node = TestNodes.onDatabase(db, Optional.empty(), AUTH);
    try {
      Api admin = new Api(node).withKey(ADMIN_KEY);
      admin.post("/v1/items", Api.items("lost", 10, 2, "active"));
      String key = ingestKey(admin, "web");
      Api ingest = new Api(node).withKey(key);

      String impressions = Api.impressions("lost-answer", List.of("lost1", "lost2", "lost1"));
      HttpResponse<String> first = post(ingest, "/v1/impressions", impressions, "lost-1");
      assertThat(first.body()).isEqualTo("{\"recorded\":2,\"duplicates\":1,\"stored\":true}");
      String events =
          "{\"events\":[{\"type\":\"impression\",\"userId\":\"lost-answer\",\"itemId\":\"lost3\"},"
              + "{\"type\":\"click\",\"userId\":\"lost-answer\",\"itemId\":\"lost3\"}]}";
      HttpResponse<String> firstEvents = post(ingest, "/v1/events", events, "lost-2");
      assertThat(firstEvents.statusCode()).isEqualTo(202);
      int journaled = Journal.events(node.system(), "lost-answer").size();

      giveBack(db, "lost-1", "lost-2");
      HttpResponse<String> again = post(ingest, "/v1/impressions", impressions, "lost-1");
      assertThat(again.statusCode()).isEqualTo(202);
      assertThat(again.body()).isEqualTo(first.body());
      assertThat(post(ingest, "/v1/events", events, "lost-2").body()).isEqualTo(firstEvents.body());
      assertThat(Journal.events(node.system(), "lost-answer")).hasSize(journaled);

      // a batch of two users: each user's entity knows the batch
      String twoUsers =
          "{\"events\":[{\"type\":\"impression\",\"userId\":\"pair-a\",\"itemId\":\"lost4\"},"
              + "{\"type\":\"like\",\"userId\":\"pair-b\",\"itemId\":\"lost4\"}]}";
      HttpResponse<String> pair = post(ingest, "/v1/events", twoUsers, "lost-3");
      assertThat(pair.statusCode()).isEqualTo(202);
      giveBack(db, "lost-3");
      assertThat(post(ingest, "/v1/events", twoUsers, "lost-3").body()).isEqualTo(pair.body());
      assertThat(Journal.events(node.system(), "pair-a")).hasSize(1);
      assertThat(Journal.events(node.system(), "pair-b")).hasSize(1);
      // counted as resent, not as impressions recorded again
      PrometheusText metrics = PrometheusText.parse(admin.text("/metrics"));
      String resent = "freshet_ingest_user_batches_resent_total";
      assertThat(metrics.value(resent, "source", "impressions")).isEqualTo(1);
      assertThat(metrics.value(resent, "source", "events")).isEqualTo(3);
      assertThat(
              metrics.value("freshet_ingest_impressions_recorded_total", "source", "impressions"))
          .isEqualTo(2);

      // the entity remembers the batches through a restart from its journal
      node.stop();
      node = TestNodes.onDatabase(db, Optional.empty(), AUTH);
      giveBack(db, "lost-1");
      Api afterRestart = new Api(node).withKey(key);
      assertThat(post(afterRestart, "/v1/impressions", impressions, "lost-1").body())
          .isEqualTo(first.body());
      assertThat(Journal.events(node.system(), "lost-answer")).hasSize(journaled);

      ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
      tables.awaitCaughtUp(Duration.ofSeconds(30));
      assertThat(
              tables.rows(
                  "SELECT item_id, view_count FROM user_impressions WHERE user_id = 'lost-answer'"
                      + " ORDER BY item_id"))
          .containsExactly("lost1|2", "lost2|1", "lost3|1");
    } finally {
      node.stop();
      db.close();
    }
  }

  /**
   * What a page's {@code navigator.sendBeacon} can send: a text/plain body, no headers, so the key
   * and the Idempotency-Key ride in the query. Only the two ingest routes take a key there.
   */
  @Test
  void aBeaconCarriesItsKeyAndIdempotencyKeyInTheQuery() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    FreshetNode node = TestNodes.onDatabase(db, Optional.empty(), AUTH);
    try {
      Api admin = new Api(node).withKey(ADMIN_KEY);
      admin.post("/v1/items", Api.items("beacon", 5, 1, "active"));
      String key = ingestKey(admin, "page");
      Api anonymous = new Api(node);
      String impressions = Api.impressions("beacon-user", List.of("beacon1", "beacon2"));

      HttpResponse<String> first =
          beacon(
              anonymous,
              "/v1/impressions?access_token=" + key + "&idempotency_key=b-1",
              impressions);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
      assertThat(first.body()).isEqualTo("{\"recorded\":2,\"duplicates\":0,\"stored\":true}");
      HttpResponse<String> again =
          beacon(
              anonymous,
              "/v1/impressions?access_token=" + key + "&idempotency_key=b-1",
              impressions);
      assertThat(again.body()).isEqualTo(first.body());
      assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
      int journaled = Journal.events(node.system(), "beacon-user").size();

      // the header and the query must agree
      HttpResponse<String> both =
          anonymous.raw(
              HttpRequest.newBuilder(
                      anonymous.uri("/v1/impressions?access_token=" + key + "&idempotency_key=b-2"))
                  .header("Content-Type", "text/plain")
                  .header("Idempotency-Key", "b-3")
                  .POST(HttpRequest.BodyPublishers.ofString(impressions)));
      assertThat(both.statusCode()).isEqualTo(400);
      assertThat(both.body()).contains("\"field\":\"idempotency_key\"");
      // a query key an Idempotency-Key could not be is refused under its own name
      for (String bad : List.of("x".repeat(256), "tab%09key", "%C3%A9t%C3%A9", "%ED%A0%80")) {
        HttpResponse<String> refused =
            beacon(
                anonymous,
                "/v1/impressions?access_token=" + key + "&idempotency_key=" + bad,
                impressions);
        assertThat(refused.statusCode()).as(bad).isEqualTo(400);
        assertThat(refused.body()).as(bad).contains("\"field\":\"idempotency_key\"");
      }
      assertThat(Journal.events(node.system(), "beacon-user")).hasSize(journaled);

      String events =
          "{\"events\":[{\"type\":\"click\",\"userId\":\"beacon-user\",\"itemId\":\"beacon1\"}]}";
      assertThat(beacon(anonymous, "/v1/events?access_token=" + key, events).statusCode())
          .isEqualTo(202);
      // a wrong key is refused, and no other route takes a key from the query
      assertThat(beacon(anonymous, "/v1/events?access_token=fk_wrong", events).statusCode())
          .isEqualTo(401);
      HttpResponse<String> ranking =
          anonymous.raw(
              HttpRequest.newBuilder(
                      anonymous.uri("/v1/users/beacon-user/recommendations?access_token=" + key))
                  .GET());
      assertThat(ranking.statusCode()).isEqualTo(401);
      assertThat(
              beacon(
                      anonymous,
                      "/v1/items?access_token=" + ADMIN_KEY,
                      Api.items("beacon-x", 1, 1, "active"))
                  .statusCode())
          .isEqualTo(401);
    } finally {
      node.stop();
      db.close();
    }
  }

  private static HttpResponse<String> beacon(Api api, String pathAndQuery, String body) {
    return api.raw(
        HttpRequest.newBuilder(api.uri(pathAndQuery))
            .header("Content-Type", "text/plain;charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Deletes the keys' rows, as the edge does when a write's answer did not come in time. */
  private static void giveBack(EmbeddedDatabase db, String... keys) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
        PreparedStatement delete =
            c.prepareStatement("DELETE FROM idempotency_keys WHERE key = ?")) {
      for (String key : keys) {
        delete.setString(1, key);
        assertThat(delete.executeUpdate()).as(key).isEqualTo(1);
      }
    }
  }

  @Test
  void importKeysAreSharedByEveryApiKeyAndCatalogUpsertsTakeKeysToo() throws Exception {
    EmbeddedDatabase db = TestNodes.database();
    FreshetNode node = TestNodes.onDatabase(db, Optional.empty(), AUTH);
    try {
      Api admin = new Api(node).withKey(ADMIN_KEY);
      String items = Api.items("imp", 3, 1, "active");
      HttpResponse<String> upserted = post(admin, "/v1/items", items, "items-1");
      assertThat(upserted.statusCode()).isEqualTo(200);
      assertThat(upserted.body()).isEqualTo("{\"upserted\":3}");
      HttpResponse<String> again = post(admin, "/v1/items", items, "items-1");
      assertThat(again.body()).isEqualTo(upserted.body());
      assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
      assertThat(post(admin, "/v1/items", Api.items("imp", 4, 1, "active"), "items-1").statusCode())
          .isEqualTo(422);

      Api first = new Api(node).withKey(ingestKey(admin, "import one"));
      Api second = new Api(node).withKey(ingestKey(admin, "import two"));
      String events =
          "{\"events\":[{\"type\":\"like\",\"userId\":\"importer\",\"itemId\":\"imp1\"}]}";
      HttpResponse<String> applied = post(first, "/v1/events", events, "import-batch-1");
      assertThat(applied.statusCode()).isEqualTo(202);
      int journaled = Journal.events(node.system(), "importer").size();

      // another API key (a re-run after the key was replaced) gets the first answer
      HttpResponse<String> replayed = post(second, "/v1/events", events, "import-batch-1");
      assertThat(replayed.body()).isEqualTo(applied.body());
      assertThat(replayed.headers().firstValue("Idempotent-Replayed")).hasValue("true");
      assertThat(Journal.events(node.system(), "importer")).hasSize(journaled);

      // the key is the content's: another request under it cannot take it, and is applied
      HttpResponse<String> other =
          post(second, "/v1/events", events.replace("like", "share"), "import-batch-1");
      assertThat(other.statusCode()).isEqualTo(202);
      assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
      assertThat(Journal.events(node.system(), "importer")).hasSize(journaled + 1);
    } finally {
      node.stop();
      db.close();
    }
  }

  private static String ingestKey(Api admin, String name) {
    return admin
        .post("/v1/admin/keys", "{\"name\":\"" + name + "\",\"scopes\":[\"ingest\"]}")
        .body()
        .path("key")
        .asText();
  }

  private static HttpResponse<String> post(Api api, String path, String body, String key) {
    return api.raw(
        HttpRequest.newBuilder(api.uri(path))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }
}
