package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input gets a 4xx with API.md's error JSON naming the field, records nothing,
 * and leaves the server serving.
 */
class BadInputHttpTest extends SingleNodeTest {

  @BeforeAll
  static void catalogAndAUser() {
    assertThat(api.post("/v1/items", Api.items("ok", 10, 2, "active")).status()).isEqualTo(200);
    assertThat(api.post("/v1/impressions", Api.impressions("victim", List.of("ok0"))).status())
        .isEqualTo(202);
  }

  private int seenBefore;
  private int catalogBefore;
  private long journalBefore;

  @BeforeEach
  void remember() {
    seenBefore = api.get("/v1/users/victim/state").body().path("seen").asInt();
    catalogBefore = node.catalog().refresh().size();
    journalBefore = journalRows();
  }

  @AfterEach
  void nothingChangedAndStillServing() {
    assertThat(api.get("/v1/users/victim/state").body().path("seen").asInt()).isEqualTo(seenBefore);
    assertThat(node.catalog().refresh().size()).isEqualTo(catalogBefore);
    assertThat(journalRows()).isEqualTo(journalBefore);
    assertThat(api.post("/v1/impressions", Api.impressions("bystander", List.of("ok1"))).status())
        .isEqualTo(202);
  }

  private long journalRows() {
    try (var c = node.database().dataSource().getConnection();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM event_journal WHERE persistence_id = 'User|victim'")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static String many(int n) {
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < n; i++)
      ids.append(i == 0 ? "" : ",").append("\"ok").append(i % 10).append('"');
    return "{\"userId\":\"victim\",\"itemIds\":[" + ids + "]}";
  }

  static String manyItems(int n) {
    return Api.items("bulk", n, 2, "active");
  }

  static Stream<Arguments> badImpressions() {
    String padding = "x".repeat(70_000);
    return Stream.of(
        Arguments.of("malformed JSON", "{\"userId\":\"victim\",", 400, "body"),
        Arguments.of(
            "trailing garbage", "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"]} x", 400, "body"),
        Arguments.of("not an object", "[1,2]", 400, "body"),
        Arguments.of("empty body", "", 400, "body"),
        Arguments.of("missing userId", "{\"itemIds\":[\"ok1\"]}", 400, "userId"),
        Arguments.of("userId not a string", "{\"userId\":5,\"itemIds\":[\"ok1\"]}", 400, "userId"),
        Arguments.of(
            "invalid userId", "{\"userId\":\"vic tim\",\"itemIds\":[\"ok1\"]}", 400, "userId"),
        Arguments.of(
            "userId too long",
            "{\"userId\":\"" + "u".repeat(129) + "\",\"itemIds\":[\"ok1\"]}",
            400,
            "userId"),
        Arguments.of("missing itemIds", "{\"userId\":\"victim\"}", 400, "itemIds"),
        Arguments.of(
            "itemIds not an array", "{\"userId\":\"victim\",\"itemIds\":\"ok1\"}", 400, "itemIds"),
        Arguments.of("empty itemIds", "{\"userId\":\"victim\",\"itemIds\":[]}", 400, "itemIds"),
        Arguments.of(
            "invalid item id",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\",\"b/d\"]}",
            400,
            "itemIds[1]"),
        Arguments.of(
            "item id not a string",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\",7]}",
            400,
            "itemIds[1]"),
        Arguments.of(
            "unknown item",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\",\"ok2\",\"ghost\"]}",
            400,
            "itemIds[2]"),
        Arguments.of("more than 1,000 ids", many(1_001), 400, "itemIds"),
        Arguments.of(
            "positions of the wrong length",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"positions\":[1,2]}",
            400,
            "positions"),
        Arguments.of(
            "negative position",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"positions\":[-1]}",
            400,
            "positions[0]"),
        Arguments.of(
            "invalid rankingId",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"rankingId\":\"a b\"}",
            400,
            "rankingId"),
        Arguments.of(
            "body over 64 KiB",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"pad\":\"" + padding + "\"}",
            413,
            "body"),
        // text the journal cannot store (issue 12): refused before anything is written
        Arguments.of(
            "lone surrogate in surface",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"surface\":\"home\\ud800\"}",
            400,
            "surface"),
        Arguments.of(
            "NUL in surface",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"surface\":\"ho\\u0000me\"}",
            400,
            "surface"),
        Arguments.of(
            "nesting beyond the parser's limit",
            "[".repeat(2_000) + "]".repeat(2_000),
            400,
            "body"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badImpressions")
  void badImpressionBatches(String name, String body, int status, String field) {
    Api.Response response = api.post("/v1/impressions", body);

    assertThat(response.status()).isEqualTo(status);
    assertThat(response.errorField()).isEqualTo(field);
    assertThat(response.body().path("error").path("code").asText()).isNotBlank();
    assertThat(response.body().path("error").path("message").asText()).isNotBlank();
  }

  @ParameterizedTest(name = "Content-Type {0}")
  @MethodSource("unsupportedTypes")
  void unsupportedContentTypes(String contentType) {
    Api.Response response =
        api.post("/v1/impressions", Api.impressions("victim", List.of("ok3")), contentType);

    assertThat(response.status()).isEqualTo(415);
    assertThat(response.errorField()).isEqualTo("Content-Type");
  }

  static Stream<String> unsupportedTypes() {
    return Stream.of(
        "application/xml", "application/x-www-form-urlencoded", "application/octet-stream");
  }

  @Test
  void chunkedBodyOver64KiBIsRefusedWhileStreaming() {
    byte[] big =
        ("{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"pad\":\"" + "y".repeat(80_000) + "\"}")
            .getBytes();
    Api.Response response =
        api.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/impressions"))
                .header("Content-Type", "application/json")
                // an InputStream publisher has no known length: the client sends it chunked
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.errorField()).isEqualTo("body");
  }

  static Stream<Arguments> badRankingQueries() {
    return Stream.of(
        Arguments.of("k=0", "field k", "k"),
        Arguments.of("k=201", "k above 200", "k"),
        Arguments.of("k=abc", "k not a number", "k"),
        Arguments.of("k=-3", "negative k", "k"),
        Arguments.of("explain=maybe", "explain not a boolean", "explain"),
        Arguments.of("exclude=ok1,b%20d", "invalid exclude id", "exclude[1]"),
        Arguments.of("variant=nope", "unknown variant", "variant"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badRankingQueries")
  void badRankingQueries(String query, String name, String field) {
    Api.Response response = api.get("/v1/users/victim/recommendations?" + query);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorField()).isEqualTo(field);
  }

  @Test
  void invalidUserIdInPath() {
    assertThat(api.get("/v1/users/bad%20id/recommendations").errorField()).isEqualTo("userId");
    assertThat(api.get("/v1/users/bad%20id/state").status()).isEqualTo(400);
  }

  static Stream<Arguments> badItems() {
    return Stream.of(
        Arguments.of("items missing", "{}", "items"),
        Arguments.of("items empty", "{\"items\":[]}", "items"),
        Arguments.of("more than 1,000 items", manyItems(1_001), "items"),
        Arguments.of("id missing", "{\"items\":[{\"category\":\"c\"}]}", "items[0].id"),
        Arguments.of(
            "invalid id", "{\"items\":[{\"id\":\"a b\",\"category\":\"c\"}]}", "items[0].id"),
        Arguments.of("category missing", "{\"items\":[{\"id\":\"n1\"}]}", "items[0].category"),
        Arguments.of(
            "bad status",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"status\":\"gone\"}]}",
            "items[0].status"),
        Arguments.of(
            "bad createdAt",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"createdAt\":\"yesterday\"}]}",
            "items[0].createdAt"),
        Arguments.of(
            "tags not strings",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"tags\":[1]}]}",
            "items[0].tags[0]"),
        Arguments.of(
            "embedding of the wrong dimension",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"embedding\":[0.1,0.2]}]}",
            "items[0].embedding"),
        Arguments.of(
            "negative popularity",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"popularity\":-1}]}",
            "items[0].popularity"),
        Arguments.of(
            "createdAt in year 0",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"createdAt\":\"0000-01-01T00:00:00Z\"}]}",
            "items[0].createdAt"),
        Arguments.of(
            "createdAt in year 999999999",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"createdAt\":\"+999999999-12-31T23:59:59Z\"}]}",
            "items[0].createdAt"),
        Arguments.of(
            "createdAt as huge epoch millis",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"createdAt\":9223372036854775807}]}",
            "items[0].createdAt"),
        Arguments.of(
            "lone surrogate in category",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\\udc00\"}]}",
            "items[0].category"),
        Arguments.of(
            "control character in a tag",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"tags\":[\"a\\u0007\"]}]}",
            "items[0].tags[0]"),
        Arguments.of(
            "NUL inside attributes",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"attributes\":{\"a\":{\"b\":[\"x\\u0000\"]}}}]}",
            "items[0].attributes.a.b[0]"),
        Arguments.of(
            "lone surrogate in an attribute key",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"attributes\":{\"\\ud800\":1}}]}",
            "items[0].attributes"),
        Arguments.of(
            "attributes over 4 KiB",
            "{\"items\":[{\"id\":\"n1\",\"category\":\"c\",\"attributes\":{\"a\":\""
                + "z".repeat(4_100)
                + "\"}}]}",
            "items[0].attributes"),
        Arguments.of(
            "second item bad, first not stored either",
            "{\"items\":[{\"id\":\"n2\",\"category\":\"c\"},{\"id\":\"n3\"}]}",
            "items[1].category"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badItems")
  void badItemUpserts(String name, String body, String field) {
    Api.Response response = api.post("/v1/items", body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorField()).isEqualTo(field);
  }

  static String ev(String fields) {
    return "{\"events\":[{\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\"},{"
        + fields
        + "}]}";
  }

  static Stream<Arguments> badEvents() {
    String many =
        "{\"events\":["
            + String.join(
                ",",
                Collections.nCopies(
                    1_001, "{\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\"}"))
            + "]}";
    return Stream.of(
        Arguments.of("events missing", "{}", "events"),
        Arguments.of("events not an array", "{\"events\":{}}", "events"),
        Arguments.of("more than 1,000 events", many, "events"),
        Arguments.of("event not an object", "{\"events\":[1]}", "events[0]"),
        Arguments.of(
            "type missing", ev("\"userId\":\"victim\",\"itemId\":\"ok1\""), "events[1].type"),
        Arguments.of(
            "unknown type",
            ev("\"type\":\"poke\",\"userId\":\"victim\",\"itemId\":\"ok1\""),
            "events[1].type"),
        Arguments.of(
            "userId missing", ev("\"type\":\"click\",\"itemId\":\"ok1\""), "events[1].userId"),
        Arguments.of(
            "invalid itemId",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"o k\""),
            "events[1].itemId"),
        Arguments.of(
            "unknown item",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ghost\""),
            "events[1].itemId"),
        Arguments.of(
            "value on a click",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"value\":3"),
            "events[1].value"),
        Arguments.of(
            "dwell without value",
            ev("\"type\":\"dwell\",\"userId\":\"victim\",\"itemId\":\"ok1\""),
            "events[1].value"),
        Arguments.of(
            "negative dwell",
            ev("\"type\":\"dwell\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"value\":-1"),
            "events[1].value"),
        Arguments.of(
            "ts in the future",
            ev(
                "\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":\"2999-01-01T00:00:00Z\""),
            "events[1].ts"),
        Arguments.of(
            "ts in year 0",
            ev(
                "\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":\"0000-01-01T00:00:00Z\""),
            "events[1].ts"),
        Arguments.of(
            "ts in year -999999999",
            ev(
                "\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":\"-999999999-01-01T00:00:00Z\""),
            "events[1].ts"),
        Arguments.of(
            "ts in year +999999999",
            ev(
                "\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":\"+999999999-12-31T23:59:59Z\""),
            "events[1].ts"),
        Arguments.of(
            "ts before 2000",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":946684799999"),
            "events[1].ts"),
        Arguments.of(
            "ts as negative millis",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":-1"),
            "events[1].ts"),
        Arguments.of(
            "ts as 1e18 millis",
            ev(
                "\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":1000000000000000000"),
            "events[1].ts"),
        Arguments.of(
            "lone surrogate in intent",
            ev(
                "\"type\":\"skip\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"intent\":\"\\ud800x\""),
            "events[1].intent"),
        Arguments.of(
            "NUL in intent",
            ev(
                "\"type\":\"skip\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"intent\":\"a\\u0000\""),
            "events[1].intent"),
        Arguments.of(
            "ts not a time",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"ts\":\"soon\""),
            "events[1].ts"),
        Arguments.of(
            "negative position",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"position\":-2"),
            "events[1].position"),
        Arguments.of(
            "intent over 64 chars",
            ev(
                "\"type\":\"skip\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"intent\":\""
                    + "i".repeat(65)
                    + "\""),
            "events[1].intent"),
        Arguments.of(
            "invalid rankingId",
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\",\"rankingId\":\"r 1\""),
            "events[1].rankingId"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEvents")
  void badEventBatchesRecordNothing(String name, String body, String field) {
    Api.Response response = api.post("/v1/events", body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorField()).isEqualTo(field);
  }

  static Stream<Arguments> badPersonas() {
    return Stream.of(
        Arguments.of(
            "lone surrogate in a category",
            "{\"categories\":[\"news\",\"a\\udc00\"]}",
            "categories[1]"),
        Arguments.of("NUL in a tag", "{\"tags\":[\"t\\u0000\"]}", "tags[0]"),
        Arguments.of("newline in a category", "{\"categories\":[\"a\\nb\"]}", "categories[0]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPersonas")
  void badPersonasChangeNothing(String name, String body, String field) {
    Api.Response response = api.put("/v1/users/victim/persona", body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorField()).isEqualTo(field);
  }

  static Stream<Arguments> badHistoryCursors() {
    return Stream.of(
        Arguments.of("0000-01-01T00:00:00Z"),
        Arguments.of("%2B999999999-12-31T23:59:59Z"),
        Arguments.of("-62167219200000.0.0"),
        Arguments.of("9223372036854775807.0.0"),
        Arguments.of("1999-12-31T23:59:59Z"));
  }

  @ParameterizedTest(name = "before={0}")
  @MethodSource("badHistoryCursors")
  void historyCursorsOutsideTheTimeWindow(String before) {
    Api.Response response = api.get("/v1/users/victim/history?before=" + before);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorField()).isEqualTo("before");
  }

  @Test
  void parserErrorsNameNoInternalClasses() {
    for (String body :
        new String[] {
          "[".repeat(2_000) + "]".repeat(2_000),
          "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"]} null",
          "{\"userId\":1e99999}",
          "{\"a\":\"\\uZZZZ\"}",
          "{\"a\":01}"
        }) {
      Api.Response response = api.post("/v1/impressions", body);
      assertThat(response.status()).as(body).isEqualTo(400);
      assertThat(response.body().path("error").path("message").asText())
          .doesNotContain("com.fasterxml", "`", "Stream", "Feature");
    }
  }

  @Test
  void theDocumentedMaximumExcludeListFitsTheUrl() {
    String ids =
        IntStream.range(0, 1_000)
            .mapToObj(i -> "x".repeat(124) + String.format("%04d", i))
            .collect(Collectors.joining(","));
    Api.Response response = api.get("/v1/users/victim/recommendations?k=5&exclude=" + ids);

    assertThat(response.status()).isEqualTo(200);
    String oneMore = ids + ",another";
    assertThat(api.get("/v1/users/victim/recommendations?exclude=" + oneMore).errorField())
        .isEqualTo("exclude");
  }

  @Test
  void itemsRefuseTextPlain() {
    Api.Response response = api.post("/v1/items", Api.items("tp", 1, 1, "active"), "text/plain");

    assertThat(response.status()).isEqualTo(415);
    assertThat(response.errorField()).isEqualTo("Content-Type");
  }
}
