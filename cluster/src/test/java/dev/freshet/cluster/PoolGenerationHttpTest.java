package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Predictive pool generation end to end on real PostgreSQL with the built-in demo generator: a user
 * driven through 86 %, 91 % and 96 % coverage signals three times, the coordinator asks once, the
 * new items reach the catalog, the user's figures and the recommendations.
 */
class PoolGenerationHttpTest {

  /**
   * The coordinator's window: the user is at risk from the third crossing until the request it
   * opens completes, so the test must see that inside the window, also on a machine busy with other
   * classes.
   */
  private static final Duration WINDOW = Duration.ofSeconds(4);

  private static TestNodes.Standalone node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNodes.standalone(Map.of("freshet.pool.window", WINDOW.toMillis() + "ms"));
    api = node.api();
    // p0 … p99 in five categories
    assertThat(api.post("/v1/items", Api.items("p", 100, 5, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void see(String user, int from, int to) {
    assertThat(api.post("/v1/impressions", Api.impressions(user, Api.ids("p", from, to))).status())
        .isEqualTo(202);
  }

  @Test
  void threeCrossingsOneRequestNewItemsForTheUser() throws Exception {
    see("reader", 0, 86); // 86 %
    see("reader", 86, 91); // 91 %
    see("reader", 91, 96); // 96 %: 4 unseen, at risk

    // inside the window: the demand waits, aggregated, and the user is at risk
    Shards.awaitTrue(
        "the user at risk",
        WINDOW,
        () -> api.get("/v1/admin/pool").body().path("usersAtRisk").asInt() == 1);
    JsonNode waiting = api.get("/v1/admin/pool").body();
    assertThat(waiting.path("atRisk").get(0).path("userId").asText()).isEqualTo("reader");
    assertThat(waiting.path("atRisk").get(0).path("unseenNow").asInt()).isEqualTo(4);

    Shards.awaitTrue(
        "a completed generation request",
        WINDOW.plusSeconds(10),
        () -> api.get("/v1/admin/pool").body().path("completed").size() == 1);
    JsonNode pool = api.get("/v1/admin/pool").body();
    assertThat(pool.path("generator").asText()).isEqualTo("demo");
    assertThat(pool.path("totals").path("signals").asInt()).isEqualTo(3);
    assertThat(pool.path("totals").path("requests").asInt()).isEqualTo(1);
    JsonNode request = pool.path("completed").get(0).path("request");
    assertThat(request.path("count").asInt()).isEqualTo(50); // the largest wanted: 95 %'s
    assertThat(request.path("urgent").asBoolean()).isTrue();
    assertThat(request.path("users").asInt()).isEqualTo(1);
    assertThat(request.path("reason").asText()).contains("85 %", "90 %", "95 %");
    Set<String> created = new HashSet<>();
    pool.path("completed").get(0).path("itemIds").forEach(id -> created.add(id.asText()));
    assertThat(created).hasSize(50);
    assertThat(pool.path("usersAtRisk").asInt()).isZero(); // 54 unseen now
    assertThat(pool.path("failed").size()).isZero();
    // and the same figures for Prometheus
    String metrics = api.text("/metrics");
    assertThat(metrics)
        .contains("freshet_pool_signals_total 3.0")
        .contains("freshet_pool_generation_completed_total 1.0")
        .contains("freshet_pool_generated_items_total 50.0")
        .contains("freshet_pool_users_at_risk 0.0");

    // the new items are in the catalog like any other, and in the user's figures
    String someNew = created.iterator().next();
    assertThat(api.get("/v1/items/" + someNew).status()).isEqualTo(200);
    JsonNode state = api.get("/v1/users/reader/state").body();
    assertThat(state.path("poolSize").asInt()).isEqualTo(150);
    assertThat(state.path("unseen").asInt()).isEqualTo(54);
    assertThat(state.path("coverage").asDouble()).isEqualTo(0.64);

    List<String> ranked = Api.rankedIds(api.get("/v1/users/reader/recommendations?k=20"));
    assertThat(ranked).hasSize(20);
    assertThat(ranked).anyMatch(created::contains);
    assertThat(ranked)
        .allMatch(id -> created.contains(id) || List.of("p96", "p97", "p98", "p99").contains(id));

    // nothing more was asked for: one request for three signals
    Thread.sleep(WINDOW.plusMillis(500).toMillis());
    assertThat(api.get("/v1/admin/pool").body().path("totals").path("requests").asInt())
        .isEqualTo(1);
  }

  @Test
  void stateShowsFreshnessPerCategoryAndTheThresholdsReached() {
    see("counter", 0, 10); // p0 … p9: two of each category
    JsonNode state = api.get("/v1/users/counter/state").body();
    JsonNode c0 = state.path("categories").path("c0");
    assertThat(c0.path("unseen").asInt()).isEqualTo(c0.path("poolSize").asInt() - 2);
    assertThat(state.path("thresholdsReached").size()).isZero();
    List<String> categories = new ArrayList<>();
    state.path("categories").fieldNames().forEachRemaining(categories::add);
    assertThat(categories).contains("c0", "c1", "c2", "c3", "c4");
  }
}
