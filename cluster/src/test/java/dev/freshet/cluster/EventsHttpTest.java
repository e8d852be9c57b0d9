package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static dev.freshet.cluster.Api.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.user.UserEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/events} over a real socket: many users per batch, features, intents. */
class EventsHttpTest extends SingleNodeTest {

  @BeforeAll
  static void catalog() {
    // e0, e3, e6 … are in c0; e1, e4 … in c1; e2, e5 … in c2
    assertThat(api.post("/v1/items", Api.items("e", 30, 3, "active")).status()).isEqualTo(200);
  }

  private static JsonNode features(String user) {
    return api.get("/v1/users/" + user + "/state").body().path("features");
  }

  @Test
  void aBatchOfManyUsersReachesEachUsersEntityDurably() {
    Api.Response response =
        api.post(
            "/v1/events",
            events(
                event("impression", "ann", "e0", ""),
                event("click", "ann", "e0", ",\"rankingId\":\"r-1\",\"position\":1"),
                event("dwell", "ann", "e0", ",\"value\":45000"),
                event("impression", "bob", "e1", ""),
                event("like", "bob", "e1", ",\"ts\":\"2026-11-01T10:00:00Z\"")));

    assertThat(response.status()).isEqualTo(202);
    assertThat(response.body().path("accepted").asInt()).isEqualTo(5);
    JsonNode ann = features("ann");
    assertThat(ann.path("interactions").path("click").asInt()).isEqualTo(1);
    assertThat(ann.path("interactions").path("impression").asInt()).isEqualTo(1);
    assertThat(ann.path("dwell").path("meanMillis").asLong()).isEqualTo(45_000);
    assertThat(ann.path("categoryAffinity").path("c0").asDouble()).isGreaterThan(1.0);
    assertThat(features("bob").path("interactions").path("like").asInt()).isEqualTo(1);
    // one journal write per user, holding the click's ranking context
    List<UserEntity.Event> annEvents = List.copyOf(Journal.events(node.system(), "ann"));
    assertThat(annEvents).hasSize(1);
    var click = ((UserEntity.InteractionsRecorded) annEvents.get(0)).interactions().get(1);
    assertThat(click.rankingId()).isEqualTo("r-1");
    assertThat(click.position()).isEqualTo(1);
  }

  @Test
  void impressionsThroughEventsAndThroughTheImpressionsEndpointAreOneSeenSet() {
    api.post("/v1/impressions", Api.impressions("cat", List.of("e5", "e6")));
    Api.Response response =
        api.post(
            "/v1/events",
            events(event("impression", "cat", "e6", ""), event("impression", "cat", "e7", "")));

    assertThat(response.body().path("accepted").asInt()).isEqualTo(2);
    assertThat(api.get("/v1/users/cat/state").body().path("seen").asInt()).isEqualTo(3);
    assertThat(Api.rankedIds(api.get("/v1/users/cat/recommendations?k=200")))
        .doesNotContain("e5", "e6", "e7");
  }

  @Test
  void aSkipForBadTimingKeepsAffinityWhereNotInterestedLowersIt() {
    api.post(
        "/v1/events",
        events(
            event("click", "dan", "e3", ""),
            event("skip", "dan", "e6", ",\"intent\":\"bad_timing\""),
            event("click", "eve", "e3", ""),
            event("skip", "eve", "e6", ",\"intent\":\"not_interested\"")));

    double dan = features("dan").path("categoryAffinity").path("c0").asDouble();
    double eve = features("eve").path("categoryAffinity").path("c0").asDouble();
    assertThat(dan).isEqualTo(1.0);
    assertThat(eve).isLessThan(0.0);
    assertThat(features("dan").path("intents").path("bad_timing").asInt()).isEqualTo(1);
  }

  @Test
  void popularFollowsInteractionsWithinSecondsAndLatestFollowsCreationTime() throws Exception {
    // e29 has the lowest catalog popularity; a burst of clicks and shares makes it the most popular
    String burst =
        events(
            event("click", "fan1", "e29", ""),
            event("share", "fan2", "e29", ""),
            event("like", "fan3", "e29", ""),
            event("click", "fan1", "e26", ""));
    assertThat(api.post("/v1/events", burst).status()).isEqualTo(202);

    Shards.awaitTrue(
        "popularity updated",
        Duration.ofSeconds(5),
        () -> "e29".equals(Api.rankedIds(api.get("/v1/items/popular?k=3")).get(0)));
    Api.Response popular = api.get("/v1/items/popular?k=3&category=c2");
    assertThat(Api.rankedIds(popular)).containsExactly("e29", "e26", "e2");
    // 1 + 3 + 2, decayed by at most a few seconds of a 6-hour half-life
    assertThat(popular.body().path("items").get(0).path("trending").asDouble())
        .isCloseTo(6.0, Offset.offset(0.01));
    assertThat(popular.body().path("items").get(2).path("trending").asDouble()).isZero();

    // newer than the items created with this request's "now", and inside the accepted time window
    Instant now = Instant.now();
    api.post(
        "/v1/items",
        "{\"items\":[{\"id\":\"fresh-1\",\"category\":\"c9\",\"createdAt\":\""
            + now.plusSeconds(60)
            + "\"},"
            + "{\"id\":\"fresh-2\",\"category\":\"c9\",\"createdAt\":\""
            + now.plusSeconds(120)
            + "\"},"
            + "{\"id\":\"stale\",\"category\":\"c9\",\"createdAt\":\"2001-01-01T00:00:00Z\"}]}");
    assertThat(Api.rankedIds(api.get("/v1/items/latest?category=c9&k=5")))
        .containsExactly("fresh-2", "fresh-1", "stale");
    assertThat(api.get("/v1/items/latest?k=0").errorField()).isEqualTo("k");
    assertThat(api.get("/v1/items/popular?k=201").status()).isEqualTo(400);
  }

  @Test
  void aPersonaGivesAColdUserTheirCategoryFirst() {
    Api.Response put = api.put("/v1/users/newbie/persona", "{\"categories\":[\"c1\"]}");

    assertThat(put.status()).isEqualTo(200);
    assertThat(features("newbie").path("persona").path("categories").get(0).asText())
        .isEqualTo("c1");
    assertThat(features("newbie").path("persona").path("inUse").asBoolean()).isTrue();
    // other tests' clicks make some items trend, so compare with a cold user without a persona
    Api.Response newbie = api.get("/v1/users/newbie/recommendations?k=10&explain=true");
    for (JsonNode item : newbie.body().path("items")) {
      boolean inC1 = Integer.parseInt(item.path("id").asText().substring(1)) % 3 == 1;
      assertThat(item.path("explain").path("categoryAffinity").asDouble())
          .isEqualTo(inC1 ? 0.25 : 0.0);
    }
    assertThat(meanC1Position(Api.rankedIds(api.get("/v1/users/newbie/recommendations?k=200"))))
        .isLessThan(
            meanC1Position(Api.rankedIds(api.get("/v1/users/no-persona/recommendations?k=200"))));

    Api.Response empty = api.put("/v1/users/newbie/persona", "{\"vector\":[1,2]}");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.errorField()).isEqualTo("vector");
  }

  /** Mean 1-based position of the c1 items (e1, e4, …) among the ranked e-items. */
  private static double meanC1Position(List<String> ids) {
    List<String> items = ids.stream().filter(id -> id.matches("e\\d+")).toList();
    return IntStream.range(0, items.size())
            .filter(i -> Integer.parseInt(items.get(i).substring(1)) % 3 == 1)
            .average()
            .orElseThrow()
        + 1;
  }
}
