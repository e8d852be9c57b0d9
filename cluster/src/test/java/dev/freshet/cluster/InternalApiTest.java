package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The internal API over a real socket on its own listener: keys of scope {@code internal} change
 * users that the public API then shows; other keys are refused; neither port serves the other's
 * routes; bad input is a 4xx naming the field.
 */
class InternalApiTest {

  private static final String ADMIN_KEY = "fsk_internal_test_admin_key_0123456789abcdef";

  private static EmbeddedDatabase db;
  private static FreshetNode node;
  private static Api admin;
  private static Api internal;
  private static final Map<String, String> keyOf = new HashMap<>();

  @BeforeAll
  static void start() {
    db = TestNodes.database();
    node =
        TestNodes.onDatabase(
            db,
            Optional.empty(),
            Map.of("freshet.auth.enabled", "on", "freshet.auth.admin-key", ADMIN_KEY));
    admin = new Api(node).withKey(ADMIN_KEY);
    assertThat(admin.post("/v1/items", items()).status()).isEqualTo(200);
    for (String scope : List.of("internal", "ingest", "rank")) {
      Api.Response created =
          admin.post(
              "/v1/admin/keys", "{\"name\":\"k " + scope + "\",\"scopes\":[\"" + scope + "\"]}");
      assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
      keyOf.put(scope, created.body().path("key").asText());
    }
    assertThat(node.internalHttpPort()).isNotEqualTo(node.httpPort());
    internal = new Api(node.internalHttpPort()).withKey(keyOf.get("internal"));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (db != null) db.close();
  }

  @Test
  void internalCommandsChangeUsersThatThePublicApiShows() {
    Api ranker = new Api(node).withKey(keyOf.get("rank"));
    Api.Response shown =
        internal.post("/internal/v1/impressions", Api.impressions("ivy", List.of("i0", "i1")));
    assertThat(shown.status()).as(shown.body().toString()).isEqualTo(202);
    assertThat(shown.body().path("recorded").asInt()).isEqualTo(2);
    Api.Response events =
        internal.post(
            "/internal/v1/events",
            Api.events(Api.event("like", "ivy", "i3"), Api.event("click", "jon", "i2")));
    assertThat(events.status()).as(events.body().toString()).isEqualTo(202);
    assertThat(events.body().path("accepted").asInt()).isEqualTo(2);
    assertThat(
            internal.put("/internal/v1/users/kim/persona", "{\"categories\":[\"cat-1\"]}").status())
        .isEqualTo(200);
    Api.Response pushed =
        internal.put(
            "/internal/v1/users/ivy/features",
            "{\"vector\":" + axis(1) + ",\"source\":\"als-outside\"}");
    assertThat(pushed.status()).as(pushed.body().toString()).isEqualTo(200);
    assertThat(pushed.body().path("stored").asBoolean()).isTrue();

    Api.Response ivy = ranker.get("/v1/users/ivy/state");
    assertThat(ivy.status()).isEqualTo(200);
    assertThat(ivy.body().path("seen").asInt()).isEqualTo(3);
    assertThat(ivy.body().path("features").path("interactions").path("like").asInt()).isEqualTo(1);
    assertThat(ivy.body().path("features").path("pushed").path("source").asText())
        .isEqualTo("als-outside");
    assertThat(ranker.get("/v1/users/jon/state").body().path("seen").asInt()).isEqualTo(1);
    assertThat(
            ranker
                .get("/v1/users/kim/state")
                .body()
                .path("features")
                .path("persona")
                .path("categories")
                .get(0)
                .asText())
        .isEqualTo("cat-1");
    // the pushed vector ranks on the public API: odd items lie along it
    Api.Response ranking = ranker.get("/v1/users/ivy/recommendations?k=10&explain=true");
    assertThat(ranking.status()).isEqualTo(200);
    ranking
        .body()
        .path("items")
        .forEach(
            item -> {
              int i = Integer.parseInt(item.path("id").asText().substring(1));
              if (i % 2 == 1)
                assertThat(item.path("explain").path("vectorSimilarity").asDouble())
                    .as(item.toString())
                    .isPositive();
            });
    // reads, consent and erasure on the internal API too
    assertThat(internal.get("/internal/v1/users/ivy/state").body().path("seen").asInt())
        .isEqualTo(3);
    Api.Response recommended = internal.get("/internal/v1/users/ivy/recommendations?k=3");
    assertThat(recommended.status()).isEqualTo(200);
    assertThat(Api.rankedIds(recommended)).hasSize(3).doesNotContain("i0", "i1", "i3");
    Api.Response consent = internal.put("/internal/v1/users/jon/consent", "{\"consent\":false}");
    assertThat(consent.status()).as(consent.body().toString()).isEqualTo(200);
    assertThat(ranker.get("/v1/users/jon/state").body().path("consent").asBoolean()).isFalse();
    // an access request shows the pushed vector, live and in the journal
    Api.Response export = admin.get("/v1/users/ivy/export");
    assertThat(export.status()).isEqualTo(200);
    assertThat(export.body().path("state").path("pushedVector").get(1).asDouble()).isEqualTo(1.0);
    List<String> sources = new java.util.ArrayList<>();
    export
        .body()
        .path("journal")
        .forEach(
            e -> {
              if (e.path("type").asText().equals("FeaturesPushed"))
                sources.add(e.path("source").asText());
            });
    assertThat(sources).containsExactly("als-outside");
    assertThat(internal.delete("/internal/v1/users/ivy").status()).isEqualTo(200);
    assertThat(ranker.get("/v1/users/ivy/state").body().path("seen").asInt()).isZero();
  }

  @Test
  void onlyKeysOfScopeInternalAreServedAndOnlyOnTheInternalPort() {
    String body = Api.impressions("lea", List.of("i5"));
    Api anonymous = new Api(node.internalHttpPort());
    assertThat(anonymous.post("/internal/v1/impressions", body).status()).isEqualTo(401);
    for (String key : List.of(keyOf.get("ingest"), keyOf.get("rank"), ADMIN_KEY)) {
      Api.Response refused =
          new Api(node.internalHttpPort()).withKey(key).post("/internal/v1/impressions", body);
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.body().path("error").path("message").asText())
          .contains("lacks the scope internal");
    }
    // the public port does not serve internal routes, whatever the key
    for (String key : List.of(ADMIN_KEY, keyOf.get("internal"))) {
      Api.Response there = new Api(node).withKey(key).post("/internal/v1/impressions", body);
      assertThat(there.status()).isEqualTo(404);
      assertThat(there.body().path("error").path("code").asText()).isEqualTo("no_route");
      assertThat(
              new Api(node)
                  .withKey(key)
                  .put("/internal/v1/users/lea/features", "{\"vector\":" + axis(0) + "}")
                  .status())
          .isEqualTo(404);
    }
    // nor does the internal port serve public routes, nor an internal key the public API
    assertThat(internal.post("/v1/impressions", body).status()).isEqualTo(404);
    assertThat(internal.get("/v1/users/lea/export").status()).isEqualTo(404);
    assertThat(internal.get("/internal/v1/users/lea/export").status()).isEqualTo(404);
    assertThat(new Api(node).withKey(keyOf.get("internal")).post("/v1/impressions", body).status())
        .isEqualTo(403);
    assertThat(
            new Api(node)
                .withKey(keyOf.get("rank"))
                .get("/v1/users/lea/state")
                .body()
                .path("seen")
                .asInt())
        .isZero();
  }

  @Test
  void hostileInputIsAFourHundredNamingTheField() {
    Map<String, String[]> cases = new java.util.LinkedHashMap<>();
    cases.put("{\"vector\":[1,2,3]}", new String[] {"vector", "400"});
    cases.put(
        "{\"vector\":" + axis(0).replace("1.0", "1e999") + "}", new String[] {"vector[0]", "400"});
    cases.put(
        "{\"vector\":" + axis(0).replace(",0.0,", ",\"x\",") + "}",
        new String[] {"vector[1]", "400"});
    cases.put("{\"vector\":" + zeros() + "}", new String[] {"vector", "400"});
    cases.put("{\"source\":\"m\"}", new String[] {"vector", "400"});
    cases.put(
        "{\"vector\":" + axis(0) + ",\"source\":\"a\\u0000b\"}", new String[] {"source", "400"});
    cases.put("{\"vector\":" + axis(0) + ",\"source\":7}", new String[] {"source", "400"});
    cases.put("[1,2]", new String[] {"body", "400"});
    for (var c : cases.entrySet()) {
      Api.Response r = internal.put("/internal/v1/users/max/features", c.getKey());
      assertThat(r.status())
          .as(c.getKey() + " " + r.body())
          .isEqualTo(Integer.parseInt(c.getValue()[1]));
      assertThat(r.errorField()).as(c.getKey() + " " + r.body()).isEqualTo(c.getValue()[0]);
    }
    Api.Response badUser =
        internal.put("/internal/v1/users/b%20d/features", "{\"vector\":" + axis(0) + "}");
    assertThat(badUser.status()).isEqualTo(400);
    assertThat(badUser.errorField()).isEqualTo("userId");
    Api.Response unknownItem =
        internal.post("/internal/v1/impressions", Api.impressions("max", List.of("nope")));
    assertThat(unknownItem.status()).isEqualTo(400);
    assertThat(unknownItem.errorField()).isEqualTo("itemIds[0]");
    Api.Response broken = internal.post("/internal/v1/events", "{\"events\":[");
    assertThat(broken.status()).isBetween(400, 499);
    Api.Response wrongMethod = internal.get("/internal/v1/users/max/features");
    assertThat(wrongMethod.status()).isEqualTo(405);
    // nothing of it was kept
    assertThat(internal.get("/internal/v1/users/max/state").body().path("features").has("pushed"))
        .isFalse();
  }

  private static String axis(int d) {
    StringBuilder e = new StringBuilder("[");
    for (int i = 0; i < 16; i++) e.append(i == 0 ? "" : ",").append(i == d ? "1.0" : "0.0");
    return e.append("]").toString();
  }

  private static String zeros() {
    return axis(-1);
  }

  /** Items i0…i19; odd items along axis 1, even ones along axis 0. */
  private static String items() {
    List<String> items = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      items.add(
          "{\"id\":\"i%d\",\"category\":\"cat-%d\",\"embedding\":%s}"
              .formatted(i, i % 4, axis(i % 2)));
    }
    return "{\"items\":[" + String.join(",", items) + "]}";
  }
}
