package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate-limit tiers on two real nodes: a burst over a limit is answered 429 with a sane Retry-After,
 * the client recovers once it has waited that long, and a key's budget spent on one node is spent
 * on the other too.
 */
class RateLimitTest {

  private static final String ADMIN_KEY = "rate-limit-admin-key-0123456789abcdef";
  private static final int RANK_PER_MINUTE = 120; // a token every 0.5 s
  private static final int ANONYMOUS_PER_MINUTE = 6; // a token every 10 s
  private static final int INGEST_PER_MINUTE = 5;

  private static EmbeddedDatabase db;
  private static FreshetNode a;
  private static FreshetNode b;
  private static Api admin;

  @BeforeAll
  static void start() {
    db = TestNodes.database();
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("freshet.auth.enabled", "on");
    overrides.put("freshet.auth.admin-key", ADMIN_KEY);
    overrides.put("freshet.limits.enabled", "on");
    overrides.put("freshet.limits.rank-per-key-per-minute", RANK_PER_MINUTE);
    overrides.put("freshet.limits.anonymous-per-minute", ANONYMOUS_PER_MINUTE);
    overrides.put("freshet.limits.ingest-batches-per-user-per-minute", INGEST_PER_MINUTE);
    overrides.put("freshet.limits.admin-per-key-per-minute", 1000);
    overrides.put("freshet.limits.sync-interval", "200ms");
    a = TestNodes.onDatabase(db, Optional.empty(), overrides);
    b = TestNodes.onDatabase(db, Optional.of(a.system().address()), overrides);
    admin = new Api(a).withKey(ADMIN_KEY);
    assertThat(admin.post("/v1/items", Api.items("item", 10, 2, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (b != null) b.stop();
    if (a != null) a.stop();
    if (db != null) db.close();
  }

  private static String key(String scope) {
    return admin
        .post("/v1/admin/keys", "{\"name\":\"limits\",\"scopes\":[\"" + scope + "\"]}")
        .body()
        .path("key")
        .asText();
  }

  @Test
  void rankBurstIsRefusedWithRetryAfterThenRecovers() throws Exception {
    Api rank = new Api(a).withKey(key("rank"));
    int ok = 0;
    HttpResponse<String> refused = null;
    for (int i = 0; i < RANK_PER_MINUTE + 20 && refused == null; i++) {
      HttpResponse<String> r =
          rank.raw(HttpRequest.newBuilder(rank.uri("/v1/users/burst/state")).GET());
      if (r.statusCode() == 200) ok++;
      else refused = r;
    }
    assertThat(refused).as("a burst over the limit is refused").isNotNull();
    // the bucket starts full, and refills by a token every 0.5 s during the burst
    assertThat(ok).isBetween(RANK_PER_MINUTE - 5, RANK_PER_MINUTE + 10);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("\"rate_limited\"");
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 2L); // one token every 0.5 s

    Thread.sleep(retryAfter * 1000 + 100);
    assertThat(rank.get("/v1/users/burst/state").status()).isEqualTo(200);
  }

  @Test
  void aKeysBudgetIsSharedAcrossNodes() throws Exception {
    // the nodes' sync topics find each other through the receptionist's gossip a few seconds after
    // the
    // cluster forms; from then on a key's budget spent on a is spent on b too
    Shards.awaitTrue(
        "b takes out of its bucket what a consumed",
        Duration.ofSeconds(30),
        RateLimitTest::budgetSpentOnAIsSpentOnB);
  }

  private static boolean budgetSpentOnAIsSpentOnB() {
    String secret = key("rank");
    Api onA = new Api(a).withKey(secret);
    Api onB = new Api(b).withKey(secret);
    int spent = 0;
    while (onA.get("/v1/users/shared/state").status() == 200) spent++;
    assertThat(spent).isGreaterThanOrEqualTo(RANK_PER_MINUTE);
    try {
      Thread.sleep(600); // three sync intervals
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    int answeredOnB = 0;
    for (int i = 0; i < 10; i++)
      if (onB.get("/v1/users/shared/state").status() == 200) answeredOnB++;
    return answeredOnB < 5; // at most what refilled since, not a fresh minute's budget
  }

  @Test
  void anonymousCallersAreLimitedPerAddress() throws Exception {
    Api anonymous = new Api(b);
    String link = "/v1/shared/favorites/" + "y".repeat(43);
    int notLimited = 0;
    HttpResponse<String> refused = null;
    for (int i = 0; i < ANONYMOUS_PER_MINUTE + 3 && refused == null; i++) {
      HttpResponse<String> r = anonymous.raw(HttpRequest.newBuilder(anonymous.uri(link)).GET());
      if (r.statusCode() == 429) refused = r;
      else notLimited++;
    }
    assertThat(notLimited).isLessThanOrEqualTo(ANONYMOUS_PER_MINUTE);
    assertThat(refused).isNotNull();
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 10L);
    // probes are never limited
    for (int i = 0; i < 20; i++) assertThat(anonymous.get("/health/alive").status()).isEqualTo(200);
  }

  @Test
  void ingestIsLimitedPerUserNotPerKey() {
    Api ingest = new Api(a).withKey(key("ingest"));
    for (int i = 0; i < INGEST_PER_MINUTE; i++) {
      assertThat(
              ingest.post("/v1/impressions", Api.impressions("busy", List.of("item" + i))).status())
          .isEqualTo(202);
    }
    Api.Response refused =
        ingest.post("/v1/impressions", Api.impressions("busy", List.of("item9")));
    assertThat(refused.status()).isEqualTo(429);
    // the refused batch changed nothing, and another user of the same key is not affected
    assertThat(admin.get("/v1/users/busy/state").body().path("seen").asInt())
        .isEqualTo(INGEST_PER_MINUTE);
    assertThat(ingest.post("/v1/impressions", Api.impressions("calm", List.of("item1"))).status())
        .isEqualTo(202);
    // a mixed batch with one user over the limit is refused whole, costing the other user nothing
    String mixed =
        "{\"events\":[{\"type\":\"click\",\"userId\":\"calm\",\"itemId\":\"item1\"},{\"type\":\"click\",\"userId\":\"busy\",\"itemId\":\"item1\"}]}";
    assertThat(ingest.post("/v1/events", mixed).status()).isEqualTo(429);
    for (int i = 0; i < INGEST_PER_MINUTE - 1; i++) {
      assertThat(
              ingest
                  .post("/v1/impressions", Api.impressions("calm", List.of("item" + (i + 2))))
                  .status())
          .isEqualTo(202);
    }
  }
}
