package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training as an operator drives it: interactions ingested over HTTP reach the events read model,
 * {@code POST /v1/admin/models/train} trains on them in the cluster, and {@code GET
 * /v1/admin/models} shows the version it recorded, evaluated and promoted.
 */
class ModelTrainingHttpTest {

  private static EmbeddedDatabase db;
  private static FreshetNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    db = TestNodes.database();
    Map<String, Object> config = new HashMap<>();
    config.put("freshet.db.url", db.jdbcUrl());
    // no scheduled run during the test: only the one asked for
    config.put("freshet.learning.enabled", "off");
    config.put("freshet.learning.als.factors", 8);
    config.put("freshet.learning.als.regularization", 1);
    config.put("freshet.learning.als.alpha", 5);
    node = FreshetNode.start(TestNodes.config(config), Optional.empty());
    api = new Api(node);
  }

  @AfterAll
  static void stop() {
    node.stop();
    db.close();
  }

  @Test
  void aRunOnDemandRecordsAndPromotesAVersionThatBeatsPopularity() throws Exception {
    // 100 items in four taste groups; 200 users who click 12 items of their group over two days
    assertThat(api.post("/v1/items", Api.items("tm", 100, i -> "tmc" + i / 25, "active")).status())
        .isEqualTo(200);
    Random random = new Random(11);
    long start = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
    List<String> events = new ArrayList<>();
    for (int u = 0; u < 200; u++)
      for (int n = 0; n < 12; n++)
        events.add(
            "{\"type\":\"click\",\"userId\":\"tmu"
                + u
                + "\",\"itemId\":\"tm"
                + ((u % 4) * 25 + random.nextInt(25))
                + "\",\"ts\":"
                + (start + n * 3_600_000L + u)
                + "}");
    for (int from = 0; from < events.size(); from += 500) {
      String batch = String.join(",", events.subList(from, Math.min(events.size(), from + 500)));
      assertThat(api.post("/v1/events", "{\"events\":[" + batch + "]}").status()).isEqualTo(202);
    }

    Api.Response before = api.get("/v1/admin/models");
    assertThat(before.status()).isEqualTo(200);
    assertThat(before.body().path("training").path("enabled").asBoolean()).isFalse();

    // the read model takes a moment to hold every event: train until a run has seen them all
    JsonNode version = null;
    long until = System.currentTimeMillis() + 60_000;
    while (version == null && System.currentTimeMillis() < until) {
      Api.Response started = api.post("/v1/admin/models/train", "");
      assertThat(started.status()).isEqualTo(202);
      JsonNode training = awaitIdle();
      assertThat(training.path("lastError").asText()).isEmpty();
      JsonNode latest = api.get("/v1/admin/models").body().path("versions").path(0);
      if (!latest.isMissingNode() && latest.path("evaluatedUsers").asInt() == 200) version = latest;
      else Thread.sleep(500);
    }
    assertThat(version).as("a version trained on all 200 users").isNotNull();
    // ALS and EASE were both trained; the version is the one that did better on the holdout
    assertThat(version.path("algorithm").asText()).isIn("als", "ease");
    assertThat(version.path("note").asText()).contains("als: NDCG@10", ", ease ");
    assertThat(version.path("items").asInt()).isGreaterThanOrEqualTo(100);
    assertThat(version.path("ndcg").asDouble())
        .isGreaterThan(version.path("popularityNdcg").asDouble());
    JsonNode versions = api.get("/v1/admin/models").body().path("versions");
    int promoted = 0;
    long served = 0;
    for (JsonNode v : versions)
      if (v.path("promoted").asBoolean()) {
        promoted++;
        served = v.path("version").asLong();
      }
    assertThat(promoted).isEqualTo(1);
    // and on /metrics: the runs by outcome, their time, the last version's NDCG and popularity's
    PrometheusText scrape = PrometheusText.parse(api.text("/metrics"));
    assertThat(scrape.value("freshet_training_runs_total", "outcome", "promoted"))
        .isGreaterThanOrEqualTo(1);
    assertThat(scrape.value("freshet_training_seconds_count")).isGreaterThanOrEqualTo(1);
    assertThat(scrape.value("freshet_model_ndcg", "scorer", "model"))
        .isCloseTo(version.path("ndcg").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(scrape.value("freshet_model_ndcg", "scorer", "popularity"))
        .isCloseTo(
            version.path("popularityNdcg").asDouble(), org.assertj.core.data.Offset.offset(1e-9));

    // the node serves the promoted version at once, and a user's next event folds them in: their
    // ranking has collaborative filtering in the score, for the items of their taste group
    long deadline = System.currentTimeMillis() + 30_000;
    while (PrometheusText.parse(api.text("/metrics")).value("freshet_model_serving_version")
        != served) {
      assertThat(System.currentTimeMillis()).as("the node serves the version").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(
            api.post(
                    "/v1/events",
                    "{\"events\":[{\"type\":\"click\",\"userId\":\"tmu0\",\"itemId\":\"tm3\"}]}")
                .status())
        .isEqualTo(202);
    JsonNode first =
        api.get("/v1/users/tmu0/recommendations?k=5&explain=true").body().path("items").path(0);
    assertThat(first.path("explain").path("cf").asDouble()).isPositive();
    assertThat(Integer.parseInt(first.path("id").asText().substring(2))).isLessThan(25);
    assertThat(PrometheusText.parse(api.text("/metrics")).value("freshet_cf_fold_ins_total"))
        .isGreaterThanOrEqualTo(1);
  }

  private static JsonNode awaitIdle() throws InterruptedException {
    long until = System.currentTimeMillis() + 30_000;
    while (true) {
      JsonNode training = api.get("/v1/admin/models").body().path("training");
      if (!training.path("running").asBoolean() && training.path("runs").asInt() > 0)
        return training;
      if (System.currentTimeMillis() > until) throw new AssertionError("training still running");
      Thread.sleep(100);
    }
  }
}
