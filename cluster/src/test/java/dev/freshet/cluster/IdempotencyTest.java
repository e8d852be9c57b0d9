package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
