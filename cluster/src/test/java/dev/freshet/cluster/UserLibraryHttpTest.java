package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History, replay, favourites and shared links over HTTP on real PostgreSQL. */
class UserLibraryHttpTest extends SingleNodeTest {

  @BeforeAll
  static void catalog() {
    assertThat(api.post("/v1/items", Api.items("h", 30, 3, "active")).status()).isEqualTo(200);
  }

  private static String impression(String user, String item, String ts, String extra) {
    return "{\"type\":\"impression\",\"userId\":\""
        + user
        + "\",\"itemId\":\""
        + item
        + "\",\"ts\":\""
        + ts
        + "\""
        + extra
        + "}";
  }

  /** Every item id of a history page, in order, and the page's day headings. */
  private static List<String> itemIds(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("days")
        .forEach(day -> day.path("items").forEach(i -> ids.add(i.path("itemId").asText())));
    return ids;
  }

  private static List<String> days(JsonNode page) {
    List<String> days = new ArrayList<>();
    page.path("days").forEach(day -> days.add(day.path("day").asText()));
    return days;
  }

  @Test
  void historyIsATimelineByDayNewestFirstPagedWithoutGapsOrRepeats() {
    String events =
        "{\"events\":["
            + impression("timeline", "h0", "2026-11-20T10:00:00Z", "")
            + ","
            + impression("timeline", "h1", "2026-11-20T10:00:00Z", "")
            + ","
            + impression(
                "timeline", "h2", "2026-11-21T09:00:00Z", ",\"rankingId\":\"r-1\",\"position\":1")
            + ","
            + impression(
                "timeline", "h3", "2026-11-21T09:00:00Z", ",\"rankingId\":\"r-1\",\"position\":2")
            + ","
            + impression(
                "timeline", "h4", "2026-11-21T09:00:00Z", ",\"rankingId\":\"r-1\",\"position\":3")
            + "]}";
    assertThat(api.post("/v1/events", events).status()).isEqualTo(202);
    String now =
        "{\"userId\":\"timeline\",\"itemIds\":[\"h5\",\"h6\",\"h7\",\"h8\",\"h9\"],\"surface\":\"home\"}";
    assertThat(api.post("/v1/impressions", now).status()).isEqualTo(202);

    JsonNode first = api.get("/v1/users/timeline/history?limit=4").body();
    assertThat(itemIds(first))
        .containsExactly("h9", "h8", "h7", "h6"); // one batch: last shown first
    assertThat(days(first)).hasSize(1);
    assertThat(first.path("days").get(0).path("items").get(0).path("surface").asText())
        .isEqualTo("home");
    String next = first.path("next").asText();

    JsonNode second = api.get("/v1/users/timeline/history?limit=4&before=" + next).body();
    assertThat(itemIds(second)).containsExactly("h5", "h4", "h3", "h2");
    assertThat(days(second)).hasSize(2).endsWith("2026-11-21");
    JsonNode h4 = second.path("days").get(1).path("items").get(0);
    assertThat(h4.path("rankingId").asText()).isEqualTo("r-1");
    assertThat(h4.path("position").asInt()).isEqualTo(3);
    assertThat(h4.path("at").asText()).isEqualTo("2026-11-21T09:00:00Z");

    JsonNode third =
        api.get("/v1/users/timeline/history?limit=4&before=" + second.path("next").asText()).body();
    assertThat(itemIds(third)).containsExactly("h1", "h0");
    assertThat(days(third)).containsExactly("2026-11-20");
    assertThat(third.path("next").isNull()).isTrue();

    // an instant works as a cursor too
    assertThat(itemIds(api.get("/v1/users/timeline/history?before=2026-11-21T00:00:00Z").body()))
        .containsExactly("h1", "h0");
    assertThat(itemIds(api.get("/v1/users/nobody-yet/history").body())).isEmpty();
  }

  @Test
  void anImpressionArrivingAfterTheClickItLedToIsStillTheItemsFirst() throws Exception {
    // a page sends its clicks and impressions as concurrent requests, and a closing page its
    // clicks first: here the click on h11 is recorded before the impression that preceded it
    double duplicatesBefore = duplicates();
    assertThat(api.post("/v1/events", Api.events(Api.event("click", "clicker", "h11"))).status())
        .isEqualTo(202);
    assertThat(Api.rankedIds(api.get("/v1/users/clicker/recommendations?k=30")))
        .doesNotContain("h11"); // the click means it was seen: never ranked again
    String shown =
        "{\"userId\":\"clicker\",\"itemIds\":[\"h10\",\"h11\"],\"surface\":\"home\","
            + "\"rankingId\":\"r-9\",\"positions\":[1,2]}";
    JsonNode answer = Api.accepted(api.post("/v1/impressions", shown));
    assertThat(answer.path("recorded").asInt()).as(answer.toString()).isEqualTo(2);
    assertThat(duplicates()).isEqualTo(duplicatesBefore);

    JsonNode history = api.get("/v1/users/clicker/history").body();
    assertThat(itemIds(history)).containsExactlyInAnyOrder("h10", "h11");
    assertThat(history.path("days").get(0).path("items").findValuesAsText("surface"))
        .containsOnly("home");
    ReadModelTables tables = new ReadModelTables(db.jdbcUrl());
    tables.awaitCaughtUp(Duration.ofSeconds(30));
    assertThat(
            tables.rows(
                "SELECT item_id, view_count, surface, ranking_id, position FROM user_impressions "
                    + "WHERE user_id = 'clicker' ORDER BY item_id"))
        .containsExactly("h10|1|home|r-9|1", "h11|1|home|r-9|2");

    // shown again, it is a repeat like any other
    assertThat(
            Api.accepted(api.post("/v1/impressions", Api.impressions("clicker", List.of("h11"))))
                .path("duplicates")
                .asInt())
        .isEqualTo(1);
  }

  private static double duplicates() {
    return PrometheusText.parse(api.text("/metrics"))
        .sum("freshet_ingest_impressions_duplicates_total");
  }

  @Test
  void badHistoryQueriesAreRejectedNamingTheField() {
    assertThat(api.get("/v1/users/timeline/history?limit=0").errorField()).isEqualTo("limit");
    assertThat(api.get("/v1/users/timeline/history?limit=501").errorField()).isEqualTo("limit");
    assertThat(api.get("/v1/users/timeline/history?before=yesterday").errorField())
        .isEqualTo("before");
    Api.Response badUser = api.get("/v1/users/bad%20user/history");
    assertThat(badUser.status()).isEqualTo(400);
    assertThat(badUser.errorField()).isEqualTo("userId");
  }

  @Test
  void replayServesSeenItemsWithoutRecordingImpressionsAndCountsEachReplay() {
    assertThat(
            api.post("/v1/impressions", Api.impressions("replayer", Api.ids("h", 0, 5))).status())
        .isEqualTo(202);
    JsonNode before = api.get("/v1/users/replayer/state").body();

    JsonNode first = api.get("/v1/users/replayer/replay?k=3").body();
    assertThat(Api.rankedIds(new Api.Response(200, first)))
        .hasSize(3)
        .allMatch(Api.ids("h", 0, 5)::contains);
    first.path("items").forEach(i -> assertThat(i.path("replayCount").asInt()).isEqualTo(1));

    JsonNode all = api.get("/v1/users/replayer/replay?k=10").body();
    assertThat(Api.rankedIds(new Api.Response(200, all)))
        .containsExactlyInAnyOrderElementsOf(Api.ids("h", 0, 5));
    int twice = 0;
    for (JsonNode i : all.path("items")) if (i.path("replayCount").asInt() == 2) twice++;
    assertThat(twice).isEqualTo(3);

    // no impression was recorded: same figures, same history
    JsonNode after = api.get("/v1/users/replayer/state").body();
    assertThat(after.path("seen").asInt()).isEqualTo(before.path("seen").asInt()).isEqualTo(5);
    assertThat(after.path("unseen")).isEqualTo(before.path("unseen"));
    assertThat(after.path("replays").asInt()).isEqualTo(8);
    JsonNode history = api.get("/v1/users/replayer/history").body();
    assertThat(itemIds(history)).hasSize(5);
    int replayed = 0;
    for (JsonNode day : history.path("days")) {
      for (JsonNode i : day.path("items")) {
        replayed += i.path("replayCount").asInt();
        assertThat(i.path("lastReplayedAt").isTextual()).isTrue();
      }
    }
    assertThat(replayed).isEqualTo(8);
    assertThat(api.get("/v1/users/replayer/replay?k=0").errorField()).isEqualTo("k");
  }

  @Test
  void favoritesAddRemoveListAndRejectUnknownItemsWithoutChange() {
    assertThat(api.put("/v1/users/fan/favorites/h3").status()).isEqualTo(201);
    Api.Response again = api.put("/v1/users/fan/favorites/h3");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().path("changed").asBoolean()).isFalse();
    assertThat(api.put("/v1/users/fan/favorites/h7").status()).isEqualTo(201);
    assertThat(Api.rankedIds(api.get("/v1/users/fan/favorites"))).containsExactly("h7", "h3");

    Api.Response removed = api.delete("/v1/users/fan/favorites/h3");
    assertThat(removed.status()).isEqualTo(200);
    assertThat(Api.rankedIds(removed)).containsExactly("h7");

    Api.Response unknown = api.put("/v1/users/fan/favorites/no-such-item");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorField()).isEqualTo("itemId");
    Api.Response badId = api.put("/v1/users/fan/favorites/bad%20id");
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.errorField()).isEqualTo("itemId");
    assertThat(api.delete("/v1/users/fan/favorites/no-such-item").status()).isEqualTo(404);
    JsonNode listed = api.get("/v1/users/fan/favorites").body();
    assertThat(Api.rankedIds(new Api.Response(200, listed))).containsExactly("h7");
    assertThat(listed.path("items").get(0).path("category").asText()).isEqualTo("c1");
    assertThat(listed.path("items").get(0).path("addedAt").isTextual()).isTrue();
  }

  @Test
  void aSharedLinkIsReadOnlyUnguessableStoredHashedAndRevocable() throws Exception {
    assertThat(api.put("/v1/users/sharer/favorites/h11").status()).isEqualTo(201);
    Api.Response created = api.post("/v1/users/sharer/favorites/share");
    assertThat(created.status()).isEqualTo(201);
    String token = created.body().path("token").asText();
    assertThat(token).matches("[A-Za-z0-9_-]{43}");
    assertThat(created.body().path("url").asText()).isEqualTo("/v1/shared/favorites/" + token);

    Api.Response shared = api.get("/v1/shared/favorites/" + token);
    assertThat(shared.status()).isEqualTo(200);
    assertThat(Api.rankedIds(shared)).containsExactly("h11");
    assertThat(shared.body().has("userId")).isFalse();
    // read-only: nothing but GET
    assertThat(api.put("/v1/shared/favorites/" + token).status()).isEqualTo(405);
    assertThat(api.delete("/v1/shared/favorites/" + token).status()).isEqualTo(405);

    // only the hash is stored
    try (Connection c = node.database().dataSource().getConnection();
        PreparedStatement q =
            c.prepareStatement("SELECT token_sha256, user_id FROM favorite_shares")) {
      try (ResultSet rs = q.executeQuery()) {
        assertThat(rs.next()).isTrue();
        String hash =
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(token.getBytes(StandardCharsets.UTF_8)));
        assertThat(rs.getString(1)).isEqualTo(hash).doesNotContain(token);
        assertThat(rs.getString(2)).isEqualTo("sharer");
      }
    }

    String unknown = "A".repeat(43);
    assertThat(api.get("/v1/shared/favorites/" + unknown).status()).isEqualTo(404);
    Api.Response malformed = api.get("/v1/shared/favorites/not-a-token");
    assertThat(malformed.status()).isEqualTo(404);
    assertThat(malformed.errorField()).isEqualTo("token");

    Api.Response revoked = api.delete("/v1/users/sharer/favorites/share");
    assertThat(revoked.body().path("revoked").asInt()).isEqualTo(1);
    assertThat(api.get("/v1/shared/favorites/" + token).status()).isEqualTo(404);
    assertThat(Api.rankedIds(api.get("/v1/users/sharer/favorites"))).containsExactly("h11");
  }

  @Test
  void theThousandAndFirstFavoriteIsAConflictAndChangesNothing() {
    assertThat(api.post("/v1/items", Api.items("fav", 1_000, 3, "active")).status()).isEqualTo(200);
    assertThat(api.post("/v1/items", Api.items("extra", 1, 1, "active")).status()).isEqualTo(200);
    for (int i = 0; i < 1_000; i++) {
      assertThat(api.put("/v1/users/collector/favorites/fav" + i).status()).isEqualTo(201);
    }

    Api.Response full = api.put("/v1/users/collector/favorites/extra0");
    assertThat(full.status()).isEqualTo(409);
    assertThat(full.errorField()).isEqualTo("itemId");
    assertThat(full.body().path("error").path("code").asText()).isEqualTo("favorites_full");
    assertThat(Api.rankedIds(api.get("/v1/users/collector/favorites")))
        .hasSize(1_000)
        .doesNotContain("extra0");
  }
}
