package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} of a real node over a real socket: the text is valid Prometheus exposition
 * format (read by a strict parser), and ingest, rankings, journal writes, resident entities and the
 * freshness bands move the figures they should, by exactly as much as the traffic sent.
 */
class MetricsHttpTest {

  private static TestNodes.Standalone node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNodes.standalone(Map.of("freshet.metrics.entities-interval", "500ms"));
    api = node.api();
    // m0 … m39 in four categories
    assertThat(api.post("/v1/items", Api.items("m", 40, 4, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static PrometheusText scrape() {
    return PrometheusText.parse(api.text("/metrics"));
  }

  @Test
  void theStrictParserRefusesWhatPrometheusWouldNot() {
    assertThatThrownBy(() -> PrometheusText.parse("x 1\n"))
        .hasMessageContaining("outside a declared family");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=\"1\" 1\n"))
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx one\n"))
        .hasMessageContaining("bad value");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE x_total counter\nx 1\n"))
        .hasMessageContaining("outside");
    assertThatThrownBy(
            () ->
                PrometheusText.parse(
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n"))
        .hasMessageContaining("not cumulative");
    PrometheusText ok =
        PrometheusText.parse("# HELP x an \\\\ x\n# TYPE x gauge\nx{a=\"q\\\"\"} -Inf\n");
    assertThat(ok.families().get("x").help()).isEqualTo("an \\ x");
    assertThat(ok.sample("x", "a", "q\"").orElseThrow().value())
        .isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void ingestRankingsJournalEntitiesAndFreshnessAreExported() throws Exception {
    PrometheusText before = scrape();
    assertThat(
            before.value("freshet_ingest_batches_total", "source", "impressions", "outcome", "ok"))
        .isZero();
    assertThat(before.value("freshet_ingest_impressions_recorded_total", "source", "impressions"))
        .isZero();
    // the JVM's own figures
    assertThat(before.families())
        .containsKeys("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds");
    assertThat(before.value("jvm_memory_used_bytes", "area", "heap")).isPositive();

    // alice: 5 new, then the same 5 again and 2 new (5 duplicates); bob: 30 of 40 (under half
    // unseen)
    assertThat(
            api.post("/v1/impressions", Api.impressions("alice", Api.ids("m", 0, 5)))
                .body()
                .path("recorded")
                .asInt())
        .isEqualTo(5);
    assertThat(
            api.post("/v1/impressions", Api.impressions("alice", Api.ids("m", 0, 7)))
                .body()
                .path("duplicates")
                .asInt())
        .isEqualTo(5);
    assertThat(api.post("/v1/impressions", Api.impressions("bob", Api.ids("m", 0, 30))).status())
        .isEqualTo(202);
    // an unknown item: refused as the client's mistake, nothing recorded
    assertThat(api.post("/v1/impressions", Api.impressions("alice", List.of("nope"))).status())
        .isEqualTo(400);
    // carol's events: a new impression, a click and a repeated impression
    String events =
        "{\"events\":["
            + "{\"type\":\"impression\",\"userId\":\"carol\",\"itemId\":\"m1\"},"
            + "{\"type\":\"click\",\"userId\":\"carol\",\"itemId\":\"m1\"},"
            + "{\"type\":\"impression\",\"userId\":\"carol\",\"itemId\":\"m1\"}]}";
    assertThat(api.post("/v1/events", events).body().path("accepted").asInt()).isEqualTo(3);
    for (int i = 0; i < 3; i++)
      assertThat(api.get("/v1/users/alice/recommendations?k=5").status()).isEqualTo(200);

    PrometheusText after = scrape();
    // ingest: batches by source and outcome, sizes, impressions and events
    assertThat(
            after.value("freshet_ingest_batches_total", "source", "impressions", "outcome", "ok"))
        .isEqualTo(3);
    assertThat(
            after.value(
                "freshet_ingest_batches_total", "source", "impressions", "outcome", "rejected"))
        .isEqualTo(1);
    assertThat(
            after.value(
                "freshet_ingest_batches_total", "source", "impressions", "outcome", "failed"))
        .isZero();
    assertThat(after.value("freshet_ingest_batches_total", "source", "events", "outcome", "ok"))
        .isEqualTo(1);
    assertThat(after.value("freshet_ingest_impressions_recorded_total", "source", "impressions"))
        .isEqualTo(5 + 2 + 30);
    assertThat(after.value("freshet_ingest_impressions_duplicates_total", "source", "impressions"))
        .isEqualTo(5);
    assertThat(after.value("freshet_ingest_impressions_recorded_total", "source", "events"))
        .isEqualTo(1);
    assertThat(after.value("freshet_ingest_impressions_duplicates_total", "source", "events"))
        .isEqualTo(1);
    assertThat(after.value("freshet_ingest_events_accepted_total", "source", "events"))
        .isEqualTo(3);
    // sizes 5, 7, 30 and the refused 1-item batch; events: one batch of 3
    assertThat(after.value("freshet_ingest_batch_size_count", "source", "impressions"))
        .isEqualTo(4);
    assertThat(after.value("freshet_ingest_batch_size_sum", "source", "impressions"))
        .isEqualTo(5 + 7 + 30 + 1);
    assertThat(
            after.value("freshet_ingest_batch_size_bucket", "source", "impressions", "le", "5.0"))
        .isEqualTo(2);
    assertThat(
            after.value("freshet_ingest_batch_size_bucket", "source", "impressions", "le", "10.0"))
        .isEqualTo(3);
    assertThat(after.value("freshet_ingest_batch_size_count", "source", "events")).isEqualTo(1);
    assertThat(after.value("freshet_ingest_batch_seconds_count", "source", "impressions"))
        .isEqualTo(4);
    // every stored batch is at least one journal write (and first levels: one more for nobody here)
    assertThat(after.value("freshet_journal_write_seconds_count")).isGreaterThanOrEqualTo(4);
    assertThat(after.value("freshet_journal_write_seconds_sum")).isPositive();
    // the rankings, by route template
    assertThat(
            after.value(
                "freshet_http_request_duration_seconds_count",
                "route",
                "/v1/users/{userId}/recommendations",
                "method",
                "GET"))
        .isEqualTo(3);
    // freshness of the resident users: alice 33 of 40 unseen, carol 39, bob 10 (under half)
    assertThat(after.value("freshet_freshness_users", "band", "half_or_more_unseen")).isEqualTo(2);
    assertThat(after.value("freshet_freshness_users", "band", "under_half_unseen")).isEqualTo(1);
    assertThat(after.value("freshet_freshness_users", "band", "empty_pool")).isZero();
    assertThat(after.value("freshet_freshness_users_few_unseen")).isZero();
    assertThat(after.value("freshet_freshness_kpi")).isCloseTo(2 / 3.0, within(1e-9));
    assertThat(after.families().get("freshet_freshness_kpi").type()).isEqualTo("gauge");

    // entities resident here, as Cluster Sharding counts them
    Shards.awaitTrue(
        "three resident users",
        Duration.ofSeconds(10),
        () ->
            scrape()
                .sample("freshet_entities", "type", "user")
                .map(s -> s.value() == 3)
                .orElse(false));

    // bob sees 7 more: 3 unseen, fewer than the at-risk limit of 5
    assertThat(api.post("/v1/impressions", Api.impressions("bob", Api.ids("m", 30, 37))).status())
        .isEqualTo(202);
    PrometheusText last = scrape();
    assertThat(last.value("freshet_freshness_users_few_unseen")).isEqualTo(1);
    assertThat(last.value("freshet_freshness_users", "band", "under_half_unseen")).isEqualTo(1);
  }

  @Test
  void passivatedUsersLeaveTheFreshnessBandsAndTheEntityCount() throws Exception {
    try (TestNodes.Standalone idle =
        TestNodes.standalone(
            Map.of(
                "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout",
                    "1s",
                "freshet.metrics.entities-interval", "200ms"))) {
      Api idleApi = idle.api();
      assertThat(idleApi.post("/v1/items", Api.items("p", 10, 2, "active")).status())
          .isEqualTo(200);
      assertThat(
              idleApi.post("/v1/impressions", Api.impressions("dora", Api.ids("p", 0, 2))).status())
          .isEqualTo(202);
      PrometheusText resident = PrometheusText.parse(idleApi.text("/metrics"));
      assertThat(resident.value("freshet_freshness_users", "band", "half_or_more_unseen"))
          .isEqualTo(1);

      Shards.awaitTrue(
          "dora passivated and counted nowhere",
          Duration.ofSeconds(15),
          () -> {
            PrometheusText scrape = PrometheusText.parse(idleApi.text("/metrics"));
            return scrape.value("freshet_freshness_users", "band", "half_or_more_unseen") == 0
                && scrape
                    .sample("freshet_entities", "type", "user")
                    .map(s -> s.value() == 0)
                    .orElse(false);
          });
      PrometheusText gone = PrometheusText.parse(idleApi.text("/metrics"));
      // no resident user, no KPI to speak of
      assertThat(gone.sample("freshet_freshness_kpi")).isEmpty();

      // recovering from the journal puts her back in her band
      assertThat(idleApi.get("/v1/users/dora/state").status()).isEqualTo(200);
      assertThat(
              PrometheusText.parse(idleApi.text("/metrics"))
                  .value("freshet_freshness_users", "band", "half_or_more_unseen"))
          .isEqualTo(1);
    }
  }
}
