package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.http.RouteTesting;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad requests of every resource, answered with 4xx naming the field before any user entity, the
 * journal or the database is asked (the route tests have none of them: had one been asked, the
 * answer would be a 503). The same inputs as the full-node BadInputHttpTest, which checks besides
 * that nothing was stored.
 */
class RequestValidationRoutesTest extends RouteTesting {

  private static RequestEntity jsonBody(String body) {
    return HttpEntities.create(ContentTypes.APPLICATION_JSON, body);
  }

  private TestRouteResult post(String path, String body) {
    return run(HttpRequest.POST(path).withEntity(jsonBody(body)));
  }

  private TestRouteResult put(String path, String body) {
    return run(HttpRequest.PUT(path).withEntity(jsonBody(body)));
  }

  // ---- bodies: media type, size, JSON
  // ------------------------------------------------------------

  static Stream<Arguments> badImpressions() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"userId\":\"victim\",", 400, "malformed_json", "body"),
        Arguments.of(
            "trailing garbage",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"]} x",
            400,
            "malformed_json",
            "body"),
        Arguments.of("not an object", "[1,2]", 400, "invalid_field", "body"),
        Arguments.of("empty body", "", 400, "invalid_field", "body"),
        Arguments.of("missing userId", "{\"itemIds\":[\"ok1\"]}", 400, "invalid_field", "userId"),
        Arguments.of(
            "invalid userId",
            "{\"userId\":\"vic tim\",\"itemIds\":[\"ok1\"]}",
            400,
            "invalid_field",
            "userId"),
        Arguments.of(
            "empty itemIds",
            "{\"userId\":\"victim\",\"itemIds\":[]}",
            400,
            "invalid_field",
            "itemIds"),
        Arguments.of(
            "invalid item id",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\",\"b/d\"]}",
            400,
            "invalid_field",
            "itemIds[1]"),
        Arguments.of(
            "unknown item",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\",\"ok2\",\"ghost\"]}",
            400,
            "unknown_item",
            "itemIds[2]"),
        Arguments.of(
            "negative position",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"positions\":[-1]}",
            400,
            "invalid_field",
            "positions[0]"),
        Arguments.of(
            "lone surrogate in surface",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"surface\":\"home\\ud800\"}",
            400,
            "invalid_field",
            "surface"),
        Arguments.of(
            "body over 64 KiB",
            "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"],\"pad\":\"" + "x".repeat(70_000) + "\"}",
            413,
            "body_too_large",
            "body"),
        Arguments.of(
            "nesting beyond the parser's limit",
            "[".repeat(2_000) + "]".repeat(2_000),
            400,
            "malformed_json",
            "body"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badImpressions")
  void badImpressionBatchesNameTheField(
      String name, String body, int status, String code, String field) {
    assertError(post("/v1/impressions", body), status, code, field);
  }

  private static String ev(String fields) {
    return "{\"events\":[{\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ok1\"},{"
        + fields
        + "}]}";
  }

  static Stream<Arguments> badEvents() {
    return Stream.of(
        Arguments.of("{}", "invalid_field", "events"),
        Arguments.of("{\"events\":[1]}", "invalid_field", "events[0]"),
        Arguments.of(
            ev("\"type\":\"poke\",\"userId\":\"victim\",\"itemId\":\"ok1\""),
            "invalid_field",
            "events[1].type"),
        Arguments.of(
            ev("\"type\":\"click\",\"itemId\":\"ok1\""), "invalid_field", "events[1].userId"),
        Arguments.of(
            ev("\"type\":\"click\",\"userId\":\"victim\",\"itemId\":\"ghost\""),
            "unknown_item",
            "events[1].itemId"),
        Arguments.of(
            ev("\"type\":\"dwell\",\"userId\":\"victim\",\"itemId\":\"ok1\""),
            "invalid_field",
            "events[1].value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEvents")
  void badEventBatchesNameTheEventAndField(String body, String code, String field) {
    assertError(post("/v1/events", body), 400, code, field);
  }

  @Test
  void anIdempotencyKeyThatCannotBeOneIsRefusedBeforeItIsClaimed() {
    for (String key : new String[] {"a b", "k".repeat(256)}) {
      TestRouteResult result =
          run(
              HttpRequest.POST("/v1/impressions")
                  .addHeader(header("Idempotency-Key", key))
                  .withEntity(jsonBody("{\"userId\":\"victim\",\"itemIds\":[\"ok1\"]}")));
      assertError(result, 400, "invalid_field", "Idempotency-Key");
    }
  }

  @Test
  void aChunkedBodyOver64KiBIsRefusedWhileStreaming() {
    Source<ByteString, ?> chunks =
        Source.range(1, 70).map(i -> ByteString.fromString("x".repeat(1024)));
    TestRouteResult result =
        run(
            HttpRequest.POST("/v1/impressions")
                .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, chunks)));

    assertError(result, 413, "body_too_large", "body");
  }

  @ParameterizedTest(name = "Content-Type {0}")
  @ValueSource(
      strings = {
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/octet-stream"
      })
  void ingestTakesJsonOrTextPlainOnly(String contentType) {
    TestRouteResult result =
        run(
            HttpRequest.POST("/v1/impressions")
                .withEntity(
                    HttpEntities.create(
                        ContentTypes.parse(contentType),
                        ByteString.fromString("{\"userId\":\"victim\",\"itemIds\":[\"ok1\"]}"))));

    assertError(result, 415, "unsupported_media_type", "Content-Type");
  }

  @Test
  void theCatalogAndOtherBodiesRefuseTextPlain() {
    for (String path : new String[] {"/v1/items", "/v1/admin/keys"}) {
      TestRouteResult result =
          run(
              HttpRequest.POST(path)
                  .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "{}")));
      assertError(result, 415, "unsupported_media_type", "Content-Type");
    }
  }

  @Test
  void parserErrorsNameNoInternalClasses() {
    for (String body :
        new String[] {
          "{\"userId\":\"victim\",\"itemIds\":[\"ok1\"]} null",
          "{\"userId\":1e99999}",
          "{\"a\":\"\\uZZZZ\"}",
          "{\"a\":01}"
        }) {
      TestRouteResult result = post("/v1/impressions", body);
      result.assertStatusCode(400);
      var error = json(result).path("error");
      assertThat(error.path("code").asText()).as(body).isIn("malformed_json", "invalid_field");
      assertThat(error.path("message").asText())
          .as(body)
          .doesNotContain("com.fasterxml", "`", "Stream", "Feature");
    }
  }

  // ---- path parameters and queries -------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "GET /v1/users/bad%20id/recommendations",
        "GET /v1/users/bad%20id/state",
        "GET /v1/users/bad%20id/history",
        "GET /v1/users/bad%20id/replay",
        "GET /v1/users/bad%20id/favorites",
        "GET /v1/users/bad%20id/export",
        "DELETE /v1/users/bad%20id",
        "POST /v1/users/bad%20id/favorites/share",
        "DELETE /v1/users/bad%20id/favorites/share",
        "PUT /v1/users/bad%20id/favorites/ok1"
      })
  void anInvalidUserIdInThePathIsA400NamingUserId(String request) {
    String[] parts = request.split(" ");
    HttpRequest r =
        HttpRequest.create(parts[1]).withMethod(HttpMethods.lookup(parts[0]).orElseThrow());
    assertError(run(r), 400, "invalid_field", "userId");
  }

  @Test
  void invalidIdsInBodiedUserRoutesAreNamedToo() {
    assertError(
        put("/v1/users/bad%20id/persona", "{\"categories\":[\"news\"]}"),
        400,
        "invalid_field",
        "userId");
    assertError(
        put("/v1/users/bad%20id/consent", "{\"consent\":true}"), 400, "invalid_field", "userId");
    assertError(
        run(HttpRequest.PUT("/v1/users/u1/favorites/b%2Fd")), 400, "invalid_field", "itemId");
  }

  static Stream<Arguments> badRankingQueries() {
    return Stream.of(
        Arguments.of("k=0", "k"),
        Arguments.of("k=201", "k"),
        Arguments.of("k=abc", "k"),
        Arguments.of("k=-3", "k"),
        Arguments.of("explain=maybe", "explain"),
        Arguments.of("exclude=ok1,b%20d", "exclude[1]"),
        Arguments.of("variant=nope", "variant"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRankingQueries")
  void badRankingQueriesNameTheParameter(String query, String field) {
    assertError(
        run(HttpRequest.GET("/v1/users/victim/recommendations?" + query)),
        400,
        "invalid_field",
        field);
  }

  @Test
  void anExcludeListOverTheDocumentedMaximumIsRefused() {
    String ids =
        IntStream.range(0, 1_001)
            .mapToObj(i -> "x".repeat(124) + String.format("%04d", i))
            .collect(Collectors.joining(","));
    assertError(
        run(HttpRequest.GET("/v1/users/victim/recommendations?exclude=" + ids)),
        400,
        "invalid_field",
        "exclude");
  }

  @ParameterizedTest(name = "before={0}")
  @ValueSource(
      strings = {
        "0000-01-01T00:00:00Z",
        "%2B999999999-12-31T23:59:59Z",
        "-62167219200000.0.0",
        "9223372036854775807.0.0",
        "1999-12-31T23:59:59Z",
        "yesterday"
      })
  void historyCursorsOutsideTheTimeWindowOrUnreadableNameBefore(String before) {
    assertError(
        run(HttpRequest.GET("/v1/users/victim/history?before=" + before)),
        400,
        "invalid_field",
        "before");
  }

  @ParameterizedTest(name = "limit={0}")
  @ValueSource(strings = {"0", "501", "ten"})
  void historyLimitsOutsideOneTo500NameLimit(String limit) {
    assertError(
        run(HttpRequest.GET("/v1/users/victim/history?limit=" + limit)),
        400,
        "invalid_field",
        "limit");
  }

  @Test
  void replayAndTheItemListsCheckKAndCategory() {
    for (String path :
        new String[] {"/v1/users/victim/replay", "/v1/items/popular", "/v1/items/latest"}) {
      assertError(run(HttpRequest.GET(path + "?k=0")), 400, "invalid_field", "k");
      assertError(run(HttpRequest.GET(path + "?category=a%0Ab")), 400, "invalid_field", "category");
    }
  }

  // ---- bodies of the user routes and of keys
  // -----------------------------------------------------

  static Stream<Arguments> badPersonas() {
    return Stream.of(
        Arguments.of("{\"categories\":[\"news\",\"a\\udc00\"]}", "categories[1]"),
        Arguments.of("{\"tags\":[\"t\\u0000\"]}", "tags[0]"),
        Arguments.of("{\"categories\":[\"a\\nb\"]}", "categories[0]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPersonas")
  void badPersonasNameTheField(String body, String field) {
    assertError(put("/v1/users/victim/persona", body), 400, "invalid_field", field);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{}", "{\"consent\":\"yes\"}", "{\"consent\":null}", "{\"consent\":1}"})
  void consentMustBeTrueOrFalse(String body) {
    assertError(put("/v1/users/victim/consent", body), 400, "invalid_field", "consent");
  }

  static Stream<Arguments> badKeys() {
    return Stream.of(
        Arguments.of("{\"scopes\":[\"rank\"]}", "name"),
        Arguments.of("{\"name\":\"\",\"scopes\":[\"rank\"]}", "name"),
        Arguments.of("{\"name\":\"" + "n".repeat(101) + "\",\"scopes\":[\"rank\"]}", "name"),
        Arguments.of("{\"name\":\"ci\"}", "scopes"),
        Arguments.of("{\"name\":\"ci\",\"scopes\":[]}", "scopes"),
        Arguments.of("{\"name\":\"ci\",\"scopes\":[\"rank\",\"root\"]}", "scopes[1]"),
        Arguments.of("{\"name\":\"ci\",\"scopes\":[7]}", "scopes[0]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badKeys")
  void badKeyRequestsNameTheFieldBeforeTheDatabase(String body, String field) {
    assertError(post("/v1/admin/keys", body), 400, "invalid_field", field);
  }

  @Test
  void aKeyIdThatCannotBeOneIsRefusedBeforeTheDatabase() {
    assertError(run(HttpRequest.DELETE("/v1/admin/keys/bad%20id")), 400, "invalid_field", "keyId");
  }

  @Test
  void aSharedLinkThatCannotBeATokenIsNotFoundWithoutALookup() {
    assertError(run(HttpRequest.GET("/v1/shared/favorites/short")), 404, "not_found", "token");
  }

  @Test
  void theStreamEndpointWithoutAnUpgradeSaysItIsAWebSocket() {
    assertError(run(HttpRequest.GET("/v1/stream")), 400, "websocket_upgrade_required", "Upgrade");
  }
}
