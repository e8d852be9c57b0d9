package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.persistence.EmbeddedDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded vector index over HTTP on a real node: similar items (active only, never the item,
 * never what a user has seen, following catalog changes), candidate retrieval named in explain, the
 * admin status and the metrics.
 */
class SimilarItemsHttpTest {

  private static final int ITEMS = 300, CATEGORIES = 6, DIM = 16;
  private static EmbeddedDatabase db;
  private static FreshetNode node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    db = TestNodes.database();
    Map<String, Object> config = new HashMap<>();
    config.put("freshet.db.url", db.jdbcUrl());
    // a small pool still retrieves, so that the test sees retrieval
    config.put("freshet.ranking.retrieval.min-pool", 50);
    node = FreshetNode.start(TestNodes.config(config), Optional.empty());
    api = new Api(node);
    assertThat(api.post("/v1/items", items()).status()).isEqualTo(200);
    waitForIndex(ITEMS);
  }

  @AfterAll
  static void stop() {
    node.stop();
    db.close();
  }

  /** v0 … v299: item i in category c(i % 6), its embedding near its category's axis. */
  private static String items() {
    Random random = new Random(5);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      StringBuilder e = new StringBuilder("[");
      for (int d = 0; d < DIM; d++) {
        double x = (d == i % CATEGORIES ? 1.0 : 0.0) + 0.2 * random.nextGaussian();
        e.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", x));
      }
      items.add(
          "{\"id\":\"v%d\",\"category\":\"c%d\",\"popularity\":%d,\"embedding\":%s]}"
              .formatted(i, i % CATEGORIES, ITEMS - i, e));
    }
    // one item without an embedding
    items.add("{\"id\":\"plain\",\"category\":\"c0\",\"popularity\":1}");
    return "{\"items\":[" + String.join(",", items) + "]}";
  }

  private static void waitForIndex(int items) throws InterruptedException {
    long until = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < until) {
      JsonNode status = api.get("/v1/admin/vectors").body();
      JsonNode embedded = status.path("indexes").path(0);
      if (embedded.path("state").asText().equals("ready")
          && embedded.path("items").asInt() == items
          && embedded.path("pending").asInt() == 0) return;
      Thread.sleep(50);
    }
    throw new AssertionError("index not ready: " + api.get("/v1/admin/vectors").body());
  }

  private static List<String> similarIds(String path) {
    Api.Response r = api.get(path);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    r.body().path("items").forEach(i -> ids.add(i.path("id").asText()));
    return ids;
  }

  @Test
  void similarItemsAreTheItemsNeighboursActiveOnlyAndNeverTheItemItself() throws Exception {
    Api.Response r = api.get("/v1/items/v3/similar?k=8");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().path("itemId").asText()).isEqualTo("v3");
    assertThat(r.body().has("degraded")).isFalse();
    List<JsonNode> items = new ArrayList<>();
    r.body().path("items").forEach(items::add);
    assertThat(items).hasSize(8);
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      assertThat(item.path("id").asText()).isNotEqualTo("v3");
      assertThat(item.path("category").asText()).isEqualTo("c3");
      assertThat(item.path("position").asInt()).isEqualTo(i + 1);
      if (i > 0)
        assertThat(item.path("similarity").asDouble())
            .isLessThanOrEqualTo(items.get(i - 1).path("similarity").asDouble());
    }

    // archived: gone from the answer at once on this node
    String first = items.get(0).path("id").asText();
    int n = Integer.parseInt(first.substring(1));
    String archived =
        "{\"items\":[{\"id\":\"%s\",\"category\":\"c3\",\"status\":\"archived\",\"popularity\":%d}]}"
            .formatted(first, ITEMS - n);
    assertThat(api.post("/v1/items", archived).status()).isEqualTo(200);
    assertThat(similarIds("/v1/items/v3/similar?k=8")).doesNotContain(first).hasSize(8);
  }

  @Test
  void whatAUserHasSeenIsLeftOutWithExcludeSeenBy() {
    List<String> before = similarIds("/v1/items/v9/similar?k=5");
    assertThat(
            api.post("/v1/impressions", Api.impressions("watcher", before.subList(0, 2))).status())
        .isEqualTo(202);
    List<String> after = similarIds("/v1/items/v9/similar?k=5&excludeSeenBy=watcher");
    assertThat(after).hasSize(5).doesNotContainAnyElementsOf(before.subList(0, 2));
    // someone who has seen nothing changes nothing
    assertThat(similarIds("/v1/items/v9/similar?k=5&excludeSeenBy=nobody-yet")).isEqualTo(before);
  }

  @Test
  void badRequestsAreRefusedNamingTheField() {
    assertThat(api.get("/v1/items/v1/similar?k=0").body().toString()).contains("\"k\"");
    assertThat(api.get("/v1/items/v1/similar?k=0").status()).isEqualTo(400);
    assertThat(api.get("/v1/items/v1/similar?k=abc").status()).isEqualTo(400);
    assertThat(api.get("/v1/items/v1/similar?k=100000").status()).isEqualTo(400);
    Api.Response badUser = api.get("/v1/items/v1/similar?excludeSeenBy=%3Cscript%3E");
    assertThat(badUser.status()).isEqualTo(400);
    assertThat(badUser.body().toString()).contains("excludeSeenBy");
    Api.Response unknown = api.get("/v1/items/v1/similar?kk=3");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().toString()).contains("kk");
    assertThat(unknown.body().path("error").path("field").asText()).isEqualTo("kk");
    // a parameter without a name is still named: by the query
    Api.Response nameless = api.get("/v1/items/v1/similar?=1");
    assertThat(nameless.status()).isEqualTo(400);
    assertThat(nameless.body().path("error").path("field").asText()).isEqualTo("query");
    assertThat(api.get("/v1/items/no-such-item/similar").status()).isEqualTo(404);
    // an item without an embedding has no neighbours
    Api.Response plain = api.get("/v1/items/plain/similar");
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.body().path("items").size()).isZero();
  }

  @Test
  void rankingsRetrieveCandidatesAndNameTheirSources() {
    StringBuilder likes = new StringBuilder("{\"events\":[");
    for (int i = 4; i < 100; i += 6) { // all c4
      if (i > 4) likes.append(',');
      likes.append(Api.event("like", "retriever", "v" + i));
    }
    assertThat(api.post("/v1/events", likes.append("]}").toString()).status()).isEqualTo(202);
    Api.Response ranking = api.get("/v1/users/retriever/recommendations?k=10&explain=true");
    assertThat(ranking.status()).isEqualTo(200);
    assertThat(ranking.body().has("degraded")).isFalse();
    List<String> sources = new ArrayList<>();
    ranking
        .body()
        .path("items")
        .forEach(i -> i.path("sources").forEach(s -> sources.add(s.asText())));
    assertThat(sources).contains("vector").doesNotContain("pool");
    // without explain, no sources
    Api.Response plain = api.get("/v1/users/retriever/recommendations?k=3");
    plain.body().path("items").forEach(i -> assertThat(i.has("sources")).isFalse());
  }

  @Test
  void theIndexIsOnTheAdminApiAndInTheMetrics() {
    JsonNode status = api.get("/v1/admin/vectors").body();
    JsonNode embedded = status.path("indexes").path(0);
    assertThat(embedded.path("kind").asText()).isEqualTo("embedded");
    assertThat(embedded.path("dimension").asInt()).isEqualTo(DIM);
    assertThat(embedded.path("bytes").asLong()).isPositive();
    assertThat(status.has("breaker")).isFalse();
    api.get("/v1/items/v2/similar?k=3");
    String metrics = rawMetrics();
    assertThat(metrics).contains("freshet_vector_index_items{index=\"embedded\"}");
    assertThat(metrics).contains("freshet_vector_query_seconds_count{index=\"embedded\"}");
    assertThat(metrics)
        .contains("freshet_vector_index_state{index=\"embedded\",state=\"ready\"} 1");
  }

  private static String rawMetrics() {
    return api.raw(java.net.http.HttpRequest.newBuilder(api.uri("/metrics")).GET()).body();
  }
}
