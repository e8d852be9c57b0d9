package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static dev.freshet.cluster.Api.events;
import static dev.freshet.cluster.Api.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin dashboard's data on a node with API keys: activity and freshness from the read models
 * in PostgreSQL, the node's metric history, and the live feed over a real WebSocket, signed in with
 * the key in the first message.
 */
class AdminDashboardHttpTest {

  private static final String ADMIN_KEY = "fk_dashboard_test_admin_7d2e";

  private static TestNodes.Standalone standalone;
  private static Api admin;
  private static String ingestKey;

  @BeforeAll
  static void start() {
    standalone =
        TestNodes.standalone(
            Map.of(
                "freshet.auth.enabled", "on",
                "freshet.auth.admin-key", ADMIN_KEY,
                "freshet.read-models.feature-snapshots.interval", "1s",
                "freshet.dashboard.sample-interval", "1s",
                "freshet.dashboard.cache-for", "0s",
                "freshet.dashboard.feed.auth-timeout", "2s"));
    admin = standalone.api().withKey(ADMIN_KEY);
    assertThat(admin.post("/v1/items", Api.items("d", 40, 4, "active")).status()).isEqualTo(200);
    Api.Response created =
        admin.post("/v1/admin/keys", "{\"name\":\"page\",\"scopes\":[\"ingest\"]}");
    assertThat(created.status()).isEqualTo(201);
    ingestKey = created.body().path("key").asText();
  }

  @AfterAll
  static void stop() {
    if (standalone != null) standalone.close();
  }

  @Test
  void activityAndFreshnessAreCountedFromTheReadModels() {
    // the other tests of this class record activity too, in whatever order they run
    ReadModelTables tables = new ReadModelTables(standalone.db().jdbcUrl());
    tables.awaitCaughtUp(Duration.ofSeconds(30));
    JsonNode before = ok(admin.get("/v1/admin/dashboard/activity?range=30d")).path("totals");
    for (String user : List.of("dash-a", "dash-b", "dash-c")) {
      assertThat(
              admin
                  .post("/v1/impressions", Api.impressions(user, List.of("d1", "d2", "d3", "d1")))
                  .status())
          .isEqualTo(202);
    }
    assertThat(
            admin
                .post(
                    "/v1/events",
                    events(event("click", "dash-a", "d1"), event("like", "dash-b", "d2")))
                .status())
        .isEqualTo(202);
    tables.awaitCaughtUp(Duration.ofSeconds(30));

    for (String range : List.of("24h", "7d", "30d")) {
      JsonNode activity = ok(admin.get("/v1/admin/dashboard/activity?range=" + range));
      assertThat(activity.path("range").asText()).isEqualTo(range);
      int buckets = activity.path("buckets").size();
      assertThat(buckets).isGreaterThanOrEqualTo(24);
      for (String series : List.of("impressions", "interactions", "activeUsers")) {
        assertThat(activity.path(series).size()).as(series).isEqualTo(buckets);
      }
      // first-time impressions only (d1 was shown twice to each), and the users of both tables
      JsonNode totals = activity.path("totals");
      assertThat(totals.path("impressions").asLong() - before.path("impressions").asLong())
          .isEqualTo(9);
      assertThat(totals.path("interactions").asLong() - before.path("interactions").asLong())
          .isEqualTo(2);
      assertThat(totals.path("activeUsers").asLong() - before.path("activeUsers").asLong())
          .isEqualTo(3);
      assertThat(sum(activity.path("impressions"))).isEqualTo(totals.path("impressions").asLong());
      assertThat(activity.path("activeUsers").get(buckets - 1).asLong())
          .as("the latest bucket has the three users")
          .isGreaterThanOrEqualTo(3);
    }

    // the feature snapshots (every second here) give each user a coverage band
    JsonNode freshness =
        Eventually.until(
            "feature snapshots of the three users",
            Duration.ofSeconds(30),
            () -> ok(admin.get("/v1/admin/dashboard/freshness?range=24h")),
            f -> f.path("kpi").path("snapshotUsers").asLong() >= 3);
    assertThat(freshness.path("bands")).hasSize(10);
    JsonNode latest = freshness.path("users").get(freshness.path("buckets").size() - 1);
    assertThat(sum(latest)).isGreaterThanOrEqualTo(3);
    // 3 of 40 items seen: every user is in the freshest band, and fresh by the KPI
    assertThat(latest.get(0).asLong()).isGreaterThanOrEqualTo(3);
    assertThat(freshness.path("kpi").path("snapshot").asDouble()).isEqualTo(1.0);
    assertThat(freshness.path("kpi").path("live").asDouble()).isEqualTo(1.0);
    assertThat(freshness.path("kpi").path("threshold").asDouble()).isEqualTo(0.5);
  }

  @Test
  void theNodeKeepsItsLatencyAndRatesOverTime() {
    assertThat(
            admin.post("/v1/impressions", Api.impressions("dash-m", List.of("d5", "d6"))).status())
        .isEqualTo(202);
    assertThat(admin.get("/v1/users/dash-m/recommendations?k=5").status()).isEqualTo(200);
    JsonNode metrics =
        Eventually.until(
            "a sample with the batch and the ranking",
            Duration.ofSeconds(30),
            () -> ok(admin.get("/v1/admin/dashboard/metrics?range=15m")),
            m ->
                hasValue(m, "ingestP99") && hasValue(m, "rankingP95") && hasValue(m, "ingestRate"));
    assertThat(metrics.path("sampleSeconds").asLong()).isEqualTo(1);
    assertThat(metrics.path("node").asText()).contains(":");
  }

  @Test
  void theDashboardDataNeedsAnAdminKey() {
    assertThat(standalone.api().get("/v1/admin/dashboard/activity").status()).isEqualTo(401);
    assertThat(standalone.api().withKey(ingestKey).get("/v1/admin/dashboard/metrics").status())
        .isEqualTo(403);
  }

  // ---- the live feed

  @Test
  void aViewerSignedInWithTheKeyInItsFirstMessageSeesImpressionsWithinTwoSeconds() {
    try (WebSocketClient viewer = feed(Optional.empty())) {
      viewer.send("{\"type\":\"auth\",\"key\":\"" + ADMIN_KEY + "\"}");
      assertThat(viewer.next().path("type").asText()).isEqualTo("ready");
      assertThat(viewer.next().path("type").asText()).isEqualTo("status");
      viewer.send("{\"type\":\"filter\",\"userId\":\"feed-b\"}");
      assertThat(viewer.next().path("filter").path("userId").asText()).isEqualTo("feed-b");

      long sent = System.nanoTime();
      assertThat(
              standalone
                  .api()
                  .withKey(ingestKey)
                  .post("/v1/impressions", Api.impressions("feed-a", List.of("d7")))
                  .status())
          .isEqualTo(202);
      assertThat(
              standalone
                  .api()
                  .withKey(ingestKey)
                  .post("/v1/impressions", Api.impressions("feed-b", List.of("d8", "d9")))
                  .status())
          .isEqualTo(202);
      JsonNode shown = viewer.next();
      long millis = (System.nanoTime() - sent) / 1_000_000;
      assertThat(shown.path("type").asText()).isEqualTo("impression");
      assertThat(shown.path("userId").asText())
          .as("the filter left feed-a out")
          .isEqualTo("feed-b");
      assertThat(shown.path("itemIds").toString()).isEqualTo("[\"d8\",\"d9\"]");
      assertThat(shown.path("recorded").asInt()).isEqualTo(2);
      assertThat(millis).as("ms from the first POST to the message").isLessThan(2000);

      assertThat(admin.post("/v1/events", events(event("click", "feed-b", "d8"))).status())
          .isEqualTo(202);
      JsonNode click = viewer.next();
      assertThat(click.path("type").asText()).isEqualTo("interaction");
      assertThat(click.path("kind").asText()).isEqualTo("click");
      assertThat(admin.get("/v1/users/feed-b/recommendations?k=3").status()).isEqualTo(200);
      JsonNode ranking = viewer.next();
      assertThat(ranking.path("type").asText()).isEqualTo("ranking");
      assertThat(ranking.path("itemIds").size()).isEqualTo(3);
    }
  }

  /**
   * The feed is the cluster's: a viewer on one node sees what another node records (the entries
   * cross the wire on the topic, serialized as the cluster's other messages are).
   */
  @Test
  void aViewerSeesWhatAnotherNodeRecords() {
    FreshetNode second =
        TestNodes.onDatabase(
            standalone.db(),
            Optional.of(standalone.node().system().address()),
            Map.of("freshet.auth.enabled", "on", "freshet.auth.admin-key", ADMIN_KEY));
    try (WebSocketClient viewer = feed(Optional.of(ADMIN_KEY))) {
      assertThat(viewer.next().path("type").asText()).isEqualTo("ready");
      assertThat(viewer.next().path("type").asText()).isEqualTo("status");
      Api other = new Api(second).withKey(ADMIN_KEY);
      // the second node learns of the viewer through the receptionist: until then it publishes
      // nothing, so it is asked until one batch shows
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      JsonNode shown = null;
      for (int i = 0; shown == null; i++) {
        assertThat(System.nanoTime()).as("an entry from the other node").isLessThan(deadline);
        String user = "remote-" + i;
        assertThat(other.post("/v1/impressions", Api.impressions(user, List.of("d11"))).status())
            .isEqualTo(202);
        shown = viewer.poll(Duration.ofMillis(500));
      }
      assertThat(shown.path("type").asText()).isEqualTo("impression");
      assertThat(shown.path("userId").asText()).startsWith("remote-");
      assertThat(shown.path("itemIds").toString()).isEqualTo("[\"d11\"]");
    } finally {
      second.stop();
    }
  }

  @Test
  void aBearerHeaderSignsAViewerInAtOnce() {
    try (WebSocketClient viewer = feed(Optional.of(ADMIN_KEY))) {
      assertThat(viewer.next().path("type").asText()).isEqualTo("ready");
    }
  }

  @Test
  void aWrongMissingOrLateKeyIsToldWhyAndClosed() {
    assertRefused("{\"type\":\"auth\",\"key\":\"fk_not_a_key\"}", 401, "unauthorized", "key");
    assertRefused("{\"type\":\"auth\",\"key\":\"" + ingestKey + "\"}", 403, "forbidden", "key");
    assertRefused("{\"type\":\"filter\",\"userId\":\"x\"}", 401, "unauthorized", "type");
    assertRefused(null, 401, "unauthorized", "key"); // nothing sent within auth-timeout (2 s)
  }

  private static void assertRefused(String first, int status, String code, String field) {
    try (WebSocketClient viewer = feed(Optional.empty())) {
      if (first != null) viewer.send(first);
      JsonNode error = viewer.next();
      assertThat(error.path("type").asText()).as(String.valueOf(first)).isEqualTo("error");
      assertThat(error.path("status").asInt()).isEqualTo(status);
      assertThat(error.path("error").path("code").asText()).isEqualTo(code);
      assertThat(error.path("error").path("field").asText()).isEqualTo(field);
      assertThat(viewer.closeCode()).isEqualTo(WebSocket.NORMAL_CLOSURE);
      assertThat(viewer.received()).as("nothing shown to a refused viewer").isEmpty();
    }
  }

  private static WebSocketClient feed(Optional<String> bearer) {
    return WebSocketClient.connect(
        "ws://127.0.0.1:" + standalone.node().httpPort() + "/v1/admin/feed", bearer);
  }

  // ---- helpers

  private static long sum(JsonNode numbers) {
    long sum = 0;
    for (JsonNode n : numbers) sum += n.asLong();
    return sum;
  }

  private static boolean hasValue(JsonNode metrics, String series) {
    for (JsonNode v : metrics.path("series").path(series))
      if (!v.isNull() && v.asDouble() > 0) return true;
    return false;
  }
}
