package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The single-node mode end to end: a node with its own embedded PostgreSQL in a data directory,
 * stopped with CoordinatedShutdown and started again on the same directory, finds everything again.
 */
class RestartTest {

  @Test
  void aFullRestartKeepsSeenSetsAndCatalog() {
    Path dataDir = TestNodes.tempDir("freshet-data");
    var config =
        TestNodes.config(
            Map.of(
                "freshet.data-dir",
                dataDir.toString(),
                "freshet.demo-catalog.enabled",
                true,
                "freshet.demo-catalog.size",
                300,
                // snapshot after 2 events so that recovery goes through a snapshot plus events
                "freshet.user.snapshot-every",
                2));

    FreshetNode first = FreshetNode.start(config, Optional.empty());
    List<String> seen;
    String topBefore;
    try {
      Api api = new Api(first);
      assertThat(first.catalog().snapshot().size()).isEqualTo(300);
      assertThat(
              api.post(
                      "/v1/items",
                      "{\"items\":[{\"id\":\"mine\",\"category\":\"x\",\"popularity\":1}]}")
                  .status())
          .isEqualTo(200);
      seen = Api.ids("demo-", 0, 25);
      for (int from = 0; from < 25; from += 5) {
        assertThat(
                api.post(
                        "/v1/impressions",
                        Api.impressions("returning", seen.subList(from, from + 5)))
                    .status())
            .isEqualTo(202);
      }
      assertThat(
              api.post("/v1/impressions", Api.impressions("returning", List.of("mine"))).status())
          .isEqualTo(202);
      topBefore = Api.rankedIds(api.get("/v1/users/returning/recommendations?k=5")).get(0);
    } finally {
      first.stop();
    }

    FreshetNode second = FreshetNode.start(config, Optional.empty());
    try {
      Api api = new Api(second);
      // the demo catalog is not seeded twice and the added item survived
      assertThat(second.catalog().snapshot().size()).isEqualTo(301);
      assertThat(api.get("/v1/items/mine").status()).isEqualTo(200);

      Api.Response state = api.get("/v1/users/returning/state");
      assertThat(state.body().path("seen").asInt()).isEqualTo(26);
      Api.Response again = api.post("/v1/impressions", Api.impressions("returning", seen));
      assertThat(again.body().path("recorded").asInt()).isZero();
      assertThat(again.body().path("duplicates").asInt()).isEqualTo(25);

      List<String> ranked = Api.rankedIds(api.get("/v1/users/returning/recommendations?k=200"));
      assertThat(ranked).doesNotContainAnyElementsOf(seen).doesNotContain("mine").hasSize(200);
      assertThat(ranked.get(0)).isEqualTo(topBefore);
    } finally {
      second.stop();
    }
  }
}
