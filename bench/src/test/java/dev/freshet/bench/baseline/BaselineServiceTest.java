package dev.freshet.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The baseline service against a real embedded PostgreSQL, over a real socket: what the comparison
 * relies on (durable, idempotent impressions; a ranking that never returns a seen item, by
 * popularity) and 4xx, never 5xx, for bad input.
 */
class BaselineServiceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static BaselineService service;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    service =
        BaselineService.start(
            new BaselineService.Options(0, null, "postgres", "", "baseline", 4, 4, null));
    base = "http://127.0.0.1:" + service.port();
    // items t-0 .. t-29, popularity 0 .. 29, t-7 archived
    StringBuilder items = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 30; i++) {
      if (i > 0) items.append(',');
      items
          .append("{\"id\":\"t-")
          .append(i)
          .append("\",\"category\":\"c\",\"popularity\":")
          .append(i)
          .append(i == 7 ? ",\"status\":\"archived\"" : "")
          .append(",\"createdAt\":\"2026-11-01T00:00:00Z\",\"embedding\":[0.1,0.2]}");
    }
    items.append("]}");
    Answer answer = post("/v1/items", items.toString());
    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(30, answer.body().path("upserted").asInt());
  }

  @AfterAll
  static void stop() {
    if (service != null) service.close();
  }

  @Test
  void readyAndItemLookups() throws Exception {
    assertEquals(200, get("/health/ready").status());
    Answer item = get("/v1/items/t-3");
    assertEquals(200, item.status());
    assertEquals(3.0, item.body().path("popularity").asDouble());
    assertEquals(404, get("/v1/items/nope").status());
  }

  @Test
  void impressionsAreDurableAfter202AndIdempotent() throws Exception {
    String body = "{\"userId\":\"u-durable\",\"itemIds\":[\"t-1\",\"t-2\",\"t-3\",\"t-2\"]}";
    Answer first = post("/v1/impressions", body);
    assertEquals(202, first.status(), first.body().toString());
    assertEquals(3, first.body().path("recorded").asInt());
    assertEquals(0, first.body().path("duplicates").asInt());
    // read back over a connection of our own: the rows were committed before the 202
    assertEquals(Set.of("t-1", "t-2", "t-3"), seenRows("u-durable"));

    Answer again = post("/v1/impressions", body);
    assertEquals(202, again.status());
    assertEquals(0, again.body().path("recorded").asInt());
    assertEquals(3, again.body().path("duplicates").asInt());
    assertEquals(Set.of("t-1", "t-2", "t-3"), seenRows("u-durable"));
  }

  @Test
  void rankingSkipsSeenAndInactiveItemsAndFollowsPopularity() throws Exception {
    List<String> seen = List.of("t-29", "t-27", "t-25", "t-10");
    assertEquals(
        202, post("/v1/impressions", JSON.writeValueAsString(new Batch("u-rank", seen))).status());
    Answer answer = get("/v1/users/u-rank/recommendations?k=10");
    assertEquals(200, answer.status(), answer.body().toString());
    List<String> ids = new ArrayList<>();
    double previous = Double.MAX_VALUE;
    for (JsonNode item : answer.body().path("items")) {
      ids.add(item.path("id").asText());
      assertTrue(item.path("score").asDouble() <= previous, "ordered by popularity: " + ids);
      previous = item.path("score").asDouble();
      assertEquals(ids.size(), item.path("position").asInt());
    }
    assertEquals(
        List.of("t-28", "t-26", "t-24", "t-23", "t-22", "t-21", "t-20", "t-19", "t-18", "t-17"),
        ids);
    assertTrue(answer.body().path("rankingId").isTextual());

    // a user who saw almost everything gets what is left, never a seen or archived item
    List<String> almostAll = new ArrayList<>();
    for (int i = 0; i < 30; i++) if (i != 4 && i != 5) almostAll.add("t-" + i);
    post("/v1/impressions", JSON.writeValueAsString(new Batch("u-full", almostAll)));
    List<String> left = new ArrayList<>();
    get("/v1/users/u-full/recommendations?k=20")
        .body()
        .path("items")
        .forEach(i -> left.add(i.path("id").asText()));
    assertEquals(List.of("t-5", "t-4"), left);
    assertFalse(
        get("/v1/users/u-new/recommendations?k=30").body().toString().contains("\"t-7\""),
        "archived items are never ranked");

    Answer state = get("/v1/users/u-rank/state");
    assertEquals(4, state.body().path("seen").asInt());
    assertEquals(29, state.body().path("poolSize").asInt());
  }

  @Test
  void eventsAreAcceptedAndImpressionEventsCountAsSeen() throws Exception {
    Answer answer =
        post(
            "/v1/events",
            "{\"events\":[{\"type\":\"click\",\"userId\":\"u-ev\",\"itemId\":\"t-1\"},"
                + "{\"type\":\"dwell\",\"userId\":\"u-ev\",\"itemId\":\"t-1\",\"value\":3000},"
                + "{\"type\":\"impression\",\"userId\":\"u-ev\",\"itemId\":\"t-29\","
                + "\"ts\":1790000000000}]}");
    assertEquals(202, answer.status(), answer.body().toString());
    assertEquals(3, answer.body().path("accepted").asInt());
    assertEquals(Set.of("t-29"), seenRows("u-ev"));
    JsonNode interactions =
        get("/v1/users/u-ev/state").body().path("features").path("interactions");
    assertEquals(1, interactions.path("click").asInt());
    assertEquals(1, interactions.path("impression").asInt());
  }

  @Test
  void badInputIsA4xxWithAnErrorBody() throws Exception {
    List<Answer> answers =
        List.of(
            post("/v1/impressions", "not json"),
            post("/v1/impressions", "[1,2]"),
            post("/v1/impressions", "{\"itemIds\":[\"t-1\"]}"),
            post("/v1/impressions", "{\"userId\":\"u 1\",\"itemIds\":[\"t-1\"]}"),
            post("/v1/impressions", "{\"userId\":\"u-1\",\"itemIds\":[]}"),
            post("/v1/impressions", "{\"userId\":\"u-1\",\"itemIds\":[\"t-1\",7]}"),
            post("/v1/impressions", JSON.writeValueAsString(new Batch("u-1", manyIds(1_001)))),
            post("/v1/items", "{\"items\":[{\"id\":\"x\"}]}"),
            post("/v1/items", "{\"items\":[{\"id\":\"x\",\"category\":\"c\",\"popularity\":-1}]}"),
            post(
                "/v1/items",
                "{\"items\":[{\"id\":\"x\",\"category\":\"c\",\"createdAt\":\"May\"}]}"),
            post("/v1/events", "{\"events\":[{\"type\":\"poke\",\"userId\":\"u-1\"}]}"),
            get("/v1/users/u-1/recommendations?k=0"),
            get("/v1/users/u-1/recommendations?k=201"),
            get("/v1/users/u-1/recommendations?k=ten"),
            get("/v1/users/" + "u".repeat(129) + "/recommendations"),
            get("/v1/users/u-1/recommendations?category=c"));
    for (Answer a : answers) {
      assertEquals(400, a.status(), a.body().toString());
      assertTrue(a.body().path("error").path("message").isTextual(), a.body().toString());
    }
    assertEquals(405, get("/v1/impressions").status());
    assertEquals(404, get("/v1/nothing").status());
    assertEquals(Set.of(), seenRows("u-1"), "no bad batch was written");
  }

  record Batch(String userId, List<String> itemIds) {}

  record Answer(int status, JsonNode body) {}

  private static List<String> manyIds(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add("m-" + i);
    return ids;
  }

  private static Set<String> seenRows(String userId) throws Exception {
    try (Connection c = DriverManager.getConnection(service.jdbcUrl());
        PreparedStatement ps =
            c.prepareStatement("SELECT item_id FROM baseline.seen WHERE user_id = ?")) {
      ps.setString(1, userId);
      Set<String> ids = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) ids.add(rs.getString(1));
      }
      return ids;
    }
  }

  private static Answer get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
  }

  private static Answer post(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private static Answer send(HttpRequest request) throws Exception {
    HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }
}
