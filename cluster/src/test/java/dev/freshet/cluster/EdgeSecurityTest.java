package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.http.edge.Endpoint;
import dev.freshet.http.edge.Endpoints;
import dev.freshet.http.edge.Scope;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API keys and scopes, security headers, CORS and trace ids on two real nodes sharing one real
 * PostgreSQL, with auth on and FRESHET_ADMIN_KEY seeding the admin key.
 */
class EdgeSecurityTest {

  private static final String ADMIN_KEY = "test-admin-key-0123456789abcdef0123456789";

  private static EmbeddedDatabase db;
  private static FreshetNode a;
  private static FreshetNode b;
  private static Api admin;
  private static Map<Scope, String> keyOf = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    db = TestNodes.database();
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("freshet.auth.enabled", "on");
    overrides.put("freshet.auth.admin-key", ADMIN_KEY);
    overrides.put(
        "freshet.http.cors.allowed-origins", "https://shop.example.com, https://m.example.com");
    a = TestNodes.onDatabase(db, Optional.empty(), overrides);
    b = TestNodes.onDatabase(db, Optional.of(a.system().address()), overrides);
    admin = new Api(a).withKey(ADMIN_KEY);
    assertThat(admin.post("/v1/items", Api.items("item", 30, 3, "active")).status()).isEqualTo(200);
    for (Scope scope : Scope.values()) {
      Api.Response created =
          admin.post(
              "/v1/admin/keys",
              "{\"name\":\"matrix "
                  + scope.wireName()
                  + "\",\"scopes\":[\""
                  + scope.wireName()
                  + "\"]}");
      assertThat(created.status()).isEqualTo(201);
      keyOf.put(scope, created.body().path("key").asText());
    }
  }

  @AfterAll
  static void stop() {
    if (b != null) b.stop();
    if (a != null) a.stop();
    if (db != null) db.close();
  }

  /**
   * Every protected route: 401 without a key, 403 with a key of another scope, served with its own.
   */
  @Test
  void everyRouteChecksKeyAndScope() {
    Api anonymous = new Api(a);
    List<String> checked = new ArrayList<>();
    for (Endpoint e : Endpoints.ALL) {
      if (e.isPublic()) continue;
      String path = samplePath(e);
      HttpResponse<String> none = anonymous.raw(request(anonymous, e, path));
      assertThat(none.statusCode()).as("%s %s without a key", e.method(), path).isEqualTo(401);
      assertThat(none.body()).contains("\"unauthorized\"");
      for (Scope scope : Scope.values()) {
        Api withKey = new Api(a).withKey(keyOf.get(scope));
        HttpResponse<String> answer = withKey.raw(request(withKey, e, path));
        boolean allowed = scope == Scope.ADMIN || scope == e.scope();
        if (allowed) {
          assertThat(answer.statusCode())
              .as("%s %s with a %s key: %s", e.method(), path, scope, answer.body())
              .isNotIn(401, 403, 405)
              .isLessThan(500);
          assertThat(answer.body()).doesNotContain("\"no_route\"");
        } else {
          assertThat(answer.statusCode())
              .as("%s %s with a %s key", e.method(), path, scope)
              .isEqualTo(403);
          assertThat(answer.body()).contains("lacks the scope " + e.scope().wireName());
        }
      }
      checked.add(e.method() + " " + e.template());
    }
    assertThat(checked).hasSizeGreaterThan(20);
    // public routes need no key
    assertThat(anonymous.get("/health/alive").status()).isEqualTo(200);
    assertThat(anonymous.get("/v1/shared/favorites/" + "x".repeat(43)).status()).isEqualTo(404);
  }

  /**
   * {@code asOf} ranks as of another time, for evaluation: admin keys only, and the user's features
   * decay to that time (a like of two weeks ago weighs a quarter of today's now, as much as today's
   * one minute after it happened).
   */
  @Test
  void onlyAdminsRankAsOfAnotherTimeAndFeaturesDecayToIt() {
    assertThat(admin.post("/v1/items", Api.items("asof-a", 5, i -> "asof-x", "active")).status())
        .isEqualTo(200);
    assertThat(admin.post("/v1/items", Api.items("asof-b", 5, i -> "asof-y", "active")).status())
        .isEqualTo(200);
    long now = System.currentTimeMillis(), twoWeeksAgo = now - 14 * 86_400_000L;
    assertThat(
            admin
                .post(
                    "/v1/events",
                    "{\"events\":[{\"type\":\"like\",\"userId\":\"asof-user\",\"itemId\":\"asof-a0\",\"ts\":"
                        + twoWeeksAgo
                        + "},{\"type\":\"like\",\"userId\":\"asof-user\",\"itemId\":\"asof-b0\",\"ts\":"
                        + (now - 60_000)
                        + "}]}")
                .status())
        .isEqualTo(202);
    String path = "/v1/users/asof-user/recommendations?explain=true&k=3&category=";

    Api ranker = new Api(a).withKey(keyOf.get(Scope.RANK));
    Api.Response refused = ranker.get(path + "asof-x&asOf=" + (twoWeeksAgo + 60_000));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().path("error").path("field").asText()).isEqualTo("asOf");
    assertThat(ranker.get(path + "asof-x").status()).isEqualTo(200);
    Api.Response bad = admin.get(path + "asof-x&asOf=yesterday");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().path("error").path("field").asText()).isEqualTo("asOf");

    // now: the old like has decayed two half-lives against the new one
    double oldNow = affinity(admin.get(path + "asof-x")),
        newNow = affinity(admin.get(path + "asof-y"));
    assertThat(oldNow / newNow).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.01));
    // a minute after the old like (the new one is still ahead, and counts undecayed): equal
    String then = "&asOf=" + java.time.Instant.ofEpochMilli(twoWeeksAgo + 60_000);
    double oldThen = affinity(admin.get(path + "asof-x" + then)),
        newThen = affinity(admin.get(path + "asof-y" + then));
    assertThat(oldThen / newThen).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
  }

  /** The category affinity contribution of a ranking's first item. */
  private static double affinity(Api.Response ranking) {
    assertThat(ranking.status()).as(ranking.body().toString()).isEqualTo(200);
    double contribution =
        ranking.body().path("items").path(0).path("explain").path("categoryAffinity").asDouble();
    assertThat(contribution).as(ranking.body().toString()).isPositive();
    return contribution;
  }

  @Test
  void keysAreStoredOnlyAsHashes() throws Exception {
    Api.Response created =
        admin.post("/v1/admin/keys", "{\"name\":\"hashed\",\"scopes\":[\"rank\",\"ingest\"]}");
    String secret = created.body().path("key").asText();
    assertThat(secret).startsWith("fsk_").hasSize(47);
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT * FROM api_keys WHERE id = '" + created.body().path("id").asText() + "'")) {
      assertThat(rs.next()).isTrue();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        String value = rs.getString(i);
        assertThat(value == null ? "" : value)
            .as(rs.getMetaData().getColumnName(i))
            .doesNotContain(secret.substring(4));
      }
      assertThat(rs.getString("key_sha256")).isEqualTo(Hashes.sha256(secret));
    }
    JsonNode listed = admin.get("/v1/admin/keys").body().path("keys");
    assertThat(listed.toString()).doesNotContain(secret).contains("\"hashed\"");
    // the seeded admin key is listed under its fixed id
    assertThat(listed.toString()).contains("key_env_admin");
  }

  /**
   * A revoked key stops at once on the node that revoked it and on the other node, which had it
   * cached.
   */
  @Test
  void revokedKeysStopWorkingAtOnceOnEveryNode() throws Exception {
    Api.Response created =
        admin.post("/v1/admin/keys", "{\"name\":\"short-lived\",\"scopes\":[\"rank\"]}");
    String secret = created.body().path("key").asText();
    Api onA = new Api(a).withKey(secret);
    Api onB = new Api(b).withKey(secret);
    assertThat(onA.get("/v1/users/rv/state").status()).isEqualTo(200);
    assertThat(onB.get("/v1/users/rv/state").status()).isEqualTo(200); // cached on b now

    Api.Response revoked = admin.delete("/v1/admin/keys/" + created.body().path("id").asText());
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.body().path("active").asBoolean()).isFalse();
    assertThat(onA.get("/v1/users/rv/state").status()).isEqualTo(401);
    // b hears of it through PostgreSQL's NOTIFY: well under a second, not the cache's 60 s
    Shards.awaitTrue(
        "b refuses the revoked key",
        Duration.ofSeconds(2),
        () -> onB.get("/v1/users/rv/state").status() == 401);
    assertThat(admin.delete("/v1/admin/keys/key_000000000000").status()).isEqualTo(404);
  }

  /**
   * {@code bin/freshet keys}: a key created from the shell works; revoked from the shell, it stops
   * at once.
   */
  @Test
  void keysCommandCreatesAndRevokes() throws Exception {
    var config =
        TestNodes.config(
            Map.of(
                "freshet.db.url",
                db.jdbcUrl(),
                "freshet.db.user",
                "postgres",
                "freshet.db.password",
                ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        KeysCommand.run(
            new String[] {"create", "--name", "shell", "--scopes", "rank"},
            config,
            print(out),
            print(err));
    assertThat(code).as(err.toString()).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    String shown = "store it safely): ";
    String secret =
        printed.substring(
            printed.indexOf(shown) + shown.length(), printed.indexOf(shown) + shown.length() + 47);
    String id = printed.substring(printed.indexOf("key_"), printed.indexOf("key_") + 16);
    Api shell = new Api(b).withKey(secret);
    assertThat(shell.get("/v1/users/sh/state").status()).isEqualTo(200);

    out.reset();
    assertThat(KeysCommand.run(new String[] {"list"}, config, print(out), print(err))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(id)
        .contains("shell")
        .doesNotContain(secret);
    assertThat(KeysCommand.run(new String[] {"revoke", id}, config, print(out), print(err)))
        .isZero();
    Shards.awaitTrue(
        "the node refuses a key revoked from the shell",
        Duration.ofSeconds(2),
        () -> shell.get("/v1/users/sh/state").status() == 401);
    assertThat(
            KeysCommand.run(
                new String[] {"create", "--name", "x", "--scopes", "root"},
                config,
                print(out),
                print(err)))
        .isEqualTo(2);
  }

  @Test
  void everyAnswerCarriesSecurityHeadersAndTheTraceId() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> ok =
        admin.raw(
            HttpRequest.newBuilder(admin.uri("/v1/items/item1"))
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .GET());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("X-Request-Id")).hasValue(traceId);
    for (HttpResponse<String> r :
        List.of(
            ok,
            new Api(a)
                .raw(
                    HttpRequest.newBuilder(admin.uri("/v1/users/x/state"))
                        .header("X-Request-Id", "req-42")
                        .GET()),
            admin.raw(HttpRequest.newBuilder(admin.uri("/v1/nowhere")).GET()))) {
      assertThat(r.headers().firstValue("Content-Security-Policy"))
          .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
      assertThat(r.headers().firstValue("Strict-Transport-Security"))
          .hasValueSatisfying(v -> assertThat(v).contains("max-age="));
      assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
      assertThat(r.headers().firstValue("Permissions-Policy")).isPresent();
      assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    }
    HttpResponse<String> unauthorized =
        new Api(a)
            .raw(
                HttpRequest.newBuilder(admin.uri("/v1/users/x/state"))
                    .header("X-Request-Id", "req-42")
                    .GET());
    assertThat(unauthorized.headers().firstValue("X-Request-Id")).hasValue("req-42");
    assertThat(unauthorized.body()).contains("\"traceId\":\"req-42\"");
    HttpResponse<String> missing =
        admin.raw(HttpRequest.newBuilder(admin.uri("/v1/nowhere")).GET());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body())
        .contains("\"no_route\"")
        .contains(
            "\"traceId\":\"" + missing.headers().firstValue("X-Request-Id").orElseThrow() + "\"");
    assertThat(missing.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
  }

  @Test
  void corsAllowsTheConfiguredOriginsAndAnswersPreflight() {
    HttpResponse<String> preflight =
        new Api(a)
            .raw(
                HttpRequest.newBuilder(admin.uri("/v1/impressions"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://shop.example.com")
                    .header("Access-Control-Request-Method", "POST")
                    .header(
                        "Access-Control-Request-Headers",
                        "authorization, content-type, idempotency-key"));
    assertThat(preflight.statusCode()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://shop.example.com");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
        .hasValueSatisfying(v -> assertThat(v).contains("POST"));
    assertThat(
            preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
        .contains("idempotency-key");

    Api browser = new Api(a).withKey(keyOf.get(Scope.INGEST));
    HttpResponse<String> actual =
        browser.raw(
            HttpRequest.newBuilder(admin.uri("/v1/impressions"))
                .header("Origin", "https://m.example.com")
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Api.impressions("cors-user", List.of("item1")))));
    assertThat(actual.statusCode()).isEqualTo(202);
    assertThat(actual.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://m.example.com");
    assertThat(actual.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
        .contains("Retry-After");

    HttpResponse<String> foreign =
        new Api(a)
            .raw(
                HttpRequest.newBuilder(admin.uri("/v1/impressions"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://evil.example.net")
                    .header("Access-Control-Request-Method", "POST"));
    assertThat(foreign.statusCode()).isBetween(400, 403);
    assertThat(foreign.body()).contains("origin");
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  private static String samplePath(Endpoint e) {
    return e.template()
        .replace("{userId}", "matrix-user")
        .replace("{itemId}", "item2")
        .replace("{keyId}", "key_000000000000")
        .replace("{token}", "x".repeat(43));
  }

  private static HttpRequest.Builder request(Api api, Endpoint e, String path) {
    HttpRequest.Builder r = HttpRequest.newBuilder(api.uri(path));
    return switch (e.method()) {
      case "GET" -> r.GET();
      case "DELETE" -> r.DELETE();
      default ->
          r.header("Content-Type", "application/json")
              .method(e.method(), HttpRequest.BodyPublishers.ofString(sampleBody(e)));
    };
  }

  private static String sampleBody(Endpoint e) {
    return switch (e.template()) {
      case "/v1/items" -> Api.items("more", 2, 1, "active");
      case "/v1/impressions" -> Api.impressions("matrix-user", List.of("item3"));
      case "/v1/events" ->
          "{\"events\":[{\"type\":\"click\",\"userId\":\"matrix-user\",\"itemId\":\"item3\"}]}";
      case "/v1/admin/keys" -> "{\"name\":\"from matrix\",\"scopes\":[\"ingest\"]}";
      case "/v1/users/{userId}/consent" -> "{\"consent\":true}";
      default -> "{}";
    };
  }

  private static PrintStream print(ByteArrayOutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }
}
