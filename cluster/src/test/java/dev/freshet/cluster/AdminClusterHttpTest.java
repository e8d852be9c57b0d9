package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/admin/cluster} and the {@code freshet_cluster_*} metrics of one real node over a
 * real socket: the node is the only member, leader and oldest, and the user entities it starts show
 * as its shards and entities in the view and in /metrics.
 */
class AdminClusterHttpTest {

  private static TestNodes.Standalone node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNodes.standalone(Map.of("freshet.metrics.entities-interval", "500ms"));
    api = node.api();
    assertThat(api.post("/v1/items", Api.items("c", 10, 2, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  @Test
  void theOnlyMemberIsLeaderOldestAndHostsEveryShard() throws Exception {
    for (int u = 0; u < 5; u++) {
      assertThat(
              api.post("/v1/impressions", Api.impressions("cu" + u, Api.ids("c", 0, 2))).status())
          .isEqualTo(202);
    }
    String self = Cluster.get(node.node().system()).selfMember().address().toString();

    Api.Response r = api.get("/v1/admin/cluster");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    JsonNode body = r.body();
    assertThat(body.path("self").asText()).isEqualTo(self);
    assertThat(body.path("leader").asText()).isEqualTo(self);
    assertThat(body.path("oldest").asText()).isEqualTo(self);
    assertThat(body.path("selfIsLeader").asBoolean()).isTrue();
    assertThat(body.path("selfIsOldest").asBoolean()).isTrue();
    assertThat(body.path("membersByStatus").path("up").asInt()).isEqualTo(1);
    assertThat(body.path("members")).hasSize(1);
    JsonNode member = body.path("members").get(0);
    assertThat(member.path("address").asText()).isEqualTo(self);
    assertThat(member.path("status").asText()).isEqualTo("up");
    assertThat(member.path("upNumber").asInt()).isEqualTo(1);
    assertThat(member.path("reachable").asBoolean()).isTrue();
    assertThat(member.path("self").asBoolean()).isTrue();
    assertThat(body.path("unreachable")).isEmpty();

    JsonNode sharding = body.path("sharding");
    assertThat(sharding.path("entityType").asText()).isEqualTo("User");
    assertThat(sharding.path("complete").asBoolean()).isTrue();
    assertThat(sharding.path("notAnswering")).isEmpty();
    assertThat(sharding.path("regions")).hasSize(1);
    JsonNode region = sharding.path("regions").get(0);
    assertThat(region.path("address").asText()).isEqualTo(self);
    assertThat(region.path("entities").asLong()).isEqualTo(5);
    assertThat(region.path("shards").asInt()).isPositive();
    long perShard = 0;
    for (JsonNode n : region.path("entitiesByShard")) perShard += n.asLong();
    assertThat(perShard).isEqualTo(5);
    assertThat(sharding.path("entities").asLong()).isEqualTo(5);
    assertThat(sharding.path("shards").asInt()).isEqualTo(region.path("shards").asInt());

    // the same figures in /metrics (this node's shards and entities are sampled every 500 ms)
    int shards = region.path("shards").asInt();
    Shards.awaitTrue(
        "freshet_cluster_shards sampled",
        Duration.ofSeconds(10),
        () ->
            PrometheusText.parse(api.text("/metrics"))
                .sample("freshet_cluster_shards", "type", "user")
                .map(s -> s.value() == shards)
                .orElse(false));
    PrometheusText scrape = PrometheusText.parse(api.text("/metrics"));
    assertThat(scrape.value("freshet_cluster_members", "status", "up")).isEqualTo(1);
    for (String status : List.of("joining", "weakly_up", "leaving", "exiting", "down")) {
      assertThat(scrape.value("freshet_cluster_members", "status", status)).as(status).isZero();
    }
    assertThat(scrape.value("freshet_cluster_unreachable_members")).isZero();
    assertThat(scrape.value("freshet_cluster_leader")).isEqualTo(1);
    assertThat(scrape.value("freshet_cluster_oldest")).isEqualTo(1);
    assertThat(scrape.value("freshet_entities", "type", "user")).isEqualTo(5);
  }

  @Test
  void onlyGetIsServed() {
    Api.Response r = api.post("/v1/admin/cluster", "{}");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.body().path("error").path("code").asText()).isEqualTo("method_not_allowed");
  }
}
