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
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/admin/cluster} and the {@code freshet_cluster_*} metrics with several nodes in one
 * JVM on one PostgreSQL: both members and the shards on both; a node that leaves disappears from
 * the view and the metrics; a node that dies without leaving shows as unreachable, observed by the
 * survivor, and its region as not answering, in a 200; once downed it is gone.
 */
class ClusterViewTest {

  private static final Map<String, Object> SETTINGS =
      Map.of(
          "freshet.metrics.entities-interval", "500ms",
          "freshet.http.cluster-stats-timeout", "1s",
          // the split-brain resolver stays out of this test: the dead node is downed by hand
          "pekko.cluster.split-brain-resolver.stable-after", "5m");

  private final EmbeddedDatabase db = TestNodes.database();
  private final List<FreshetNode> running = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (FreshetNode node : running) node.stop();
    db.close();
  }

  @Test
  void membersShardsALeavingNodeAndAnUnreachableOne() throws Exception {
    FreshetNode a = start(Optional.empty(), Map.of());
    Address seed = address(a);
    FreshetNode b = start(Optional.of(seed), Map.of());
    Shards.awaitTrue(
        "two members up",
        Duration.ofSeconds(30),
        () -> upMembers(new Api(a)) == 2 && upMembers(new Api(b)) == 2);
    Api apiA = new Api(a);
    assertThat(apiA.post("/v1/items", Api.items("cv", 10, 2, "active")).status()).isEqualTo(200);
    // forty users: the coordinator gives new shards to the region with the fewest, so both get some
    for (int u = 0; u < 40; u++) {
      Api via = new Api(u % 2 == 0 ? a : b);
      assertThat(
              via.post("/v1/impressions", Api.impressions("cvu" + u, Api.ids("cv", 0, 2))).status())
          .isEqualTo(202);
    }

    // the view is the same from either node, but for who "self" is
    for (FreshetNode node : List.of(a, b)) {
      JsonNode view = view(new Api(node));
      assertThat(view.path("self").asText()).isEqualTo(address(node).toString());
      assertThat(view.path("membersByStatus").path("up").asInt()).isEqualTo(2);
      assertThat(view.path("members")).hasSize(2);
      // oldest first: a formed the cluster, so it is the oldest and hosts the singletons
      assertThat(view.path("members").get(0).path("address").asText())
          .isEqualTo(address(a).toString());
      assertThat(view.path("members").get(0).path("oldest").asBoolean()).isTrue();
      assertThat(view.path("members").get(1).path("oldest").asBoolean()).isFalse();
      assertThat(view.path("members").get(0).path("upNumber").asInt())
          .isLessThan(view.path("members").get(1).path("upNumber").asInt());
      assertThat(view.path("oldest").asText()).isEqualTo(address(a).toString());
      assertThat(view.path("selfIsOldest").asBoolean()).isEqualTo(node == a);
      int leaders = 0;
      for (JsonNode m : view.path("members")) if (m.path("leader").asBoolean()) leaders++;
      assertThat(leaders).isEqualTo(1);
      assertThat(view.path("unreachable")).isEmpty();

      JsonNode sharding = view.path("sharding");
      assertThat(sharding.path("complete").asBoolean()).as(sharding.toString()).isTrue();
      assertThat(sharding.path("notAnswering")).isEmpty();
      assertThat(sharding.path("entities").asLong()).isEqualTo(40);
      Map<String, JsonNode> regions = regions(sharding);
      assertThat(regions).containsOnlyKeys(address(a).toString(), address(b).toString());
      for (JsonNode region : regions.values()) {
        assertThat(region.path("shards").asInt()).as(region.toString()).isPositive();
        assertThat(region.path("entities").asLong()).as(region.toString()).isPositive();
      }
    }
    // in the metrics: both members up on both nodes, one leader among them, each node's own shards
    JsonNode regions = view(apiA).path("sharding");
    Map<String, JsonNode> byAddress = regions(regions);
    for (FreshetNode node : List.of(a, b)) {
      int shards = byAddress.get(address(node).toString()).path("shards").asInt();
      long entities = byAddress.get(address(node).toString()).path("entities").asLong();
      Shards.awaitTrue(
          "this node's shards and entities sampled",
          Duration.ofSeconds(10),
          () -> {
            PrometheusText s = scrape(node);
            return s.sample("freshet_cluster_shards", "type", "user")
                    .map(x -> x.value() == shards)
                    .orElse(false)
                && s.sample("freshet_entities", "type", "user")
                    .map(x -> x.value() == entities)
                    .orElse(false);
          });
      PrometheusText s = scrape(node);
      assertThat(s.value("freshet_cluster_members", "status", "up")).isEqualTo(2);
      assertThat(s.value("freshet_cluster_unreachable_members")).isZero();
      assertThat(s.value("freshet_cluster_oldest")).isEqualTo(node == a ? 1 : 0);
    }
    assertThat(
            scrape(a).value("freshet_cluster_leader") + scrape(b).value("freshet_cluster_leader"))
        .isEqualTo(1);

    // b leaves: it is gone from a's view and metrics, and its shards with it
    b.stop();
    running.remove(b);
    Shards.awaitTrue(
        "b removed", Duration.ofSeconds(30), () -> view(apiA).path("members").size() == 1);
    JsonNode alone = view(apiA);
    assertThat(alone.path("membersByStatus").path("up").asInt()).isEqualTo(1);
    assertThat(alone.path("selfIsLeader").asBoolean()).isTrue();
    assertThat(alone.path("selfIsOldest").asBoolean()).isTrue();
    assertThat(regions(alone.path("sharding"))).containsOnlyKeys(address(a).toString());
    assertThat(alone.path("sharding").path("complete").asBoolean()).isTrue();
    PrometheusText afterLeave = scrape(a);
    assertThat(afterLeave.value("freshet_cluster_members", "status", "up")).isEqualTo(1);
    assertThat(afterLeave.value("freshet_cluster_leader")).isEqualTo(1);

    // c joins and then dies without leaving (its actor system stops, no coordinated shutdown)
    FreshetNode c =
        start(
            Optional.of(seed),
            Map.of("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off"));
    Address cAddress = address(c);
    Shards.awaitTrue("c up", Duration.ofSeconds(30), () -> upMembers(apiA) == 2);
    running.remove(c);
    c.system().terminate();
    c.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    c.database().close();

    Shards.awaitTrue(
        "c unreachable", Duration.ofSeconds(30), () -> view(apiA).path("unreachable").size() == 1);
    Api.Response r = apiA.get("/v1/admin/cluster");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    JsonNode partial = r.body();
    JsonNode unreachable = partial.path("unreachable").get(0);
    assertThat(unreachable.path("address").asText()).isEqualTo(cAddress.toString());
    assertThat(unreachable.path("observedBy").get(0).asText()).isEqualTo(address(a).toString());
    JsonNode cMember = partial.path("members").get(1);
    assertThat(cMember.path("address").asText()).isEqualTo(cAddress.toString());
    assertThat(cMember.path("reachable").asBoolean()).isFalse();
    JsonNode sharding = partial.path("sharding");
    assertThat(sharding.path("complete").asBoolean()).isFalse();
    assertThat(sharding.path("notAnswering").get(0).asText()).isEqualTo(cAddress.toString());
    assertThat(sharding.path("notAnswering")).hasSize(1);
    // what is known is still there: a's own region
    assertThat(regions(sharding)).containsOnlyKeys(address(a).toString());
    PrometheusText withUnreachable = scrape(a);
    assertThat(withUnreachable.value("freshet_cluster_unreachable_members")).isEqualTo(1);
    assertThat(withUnreachable.value("freshet_cluster_members", "status", "up")).isEqualTo(2);

    // downed (as an operator would, or the split-brain resolver after stable-after): gone
    Cluster.get(a.system()).manager().tell(new Down(cAddress));
    Shards.awaitTrue(
        "c removed", Duration.ofSeconds(30), () -> view(apiA).path("members").size() == 1);
    assertThat(view(apiA).path("unreachable")).isEmpty();
    assertThat(scrape(a).value("freshet_cluster_unreachable_members")).isZero();
  }

  private FreshetNode start(Optional<Address> seed, Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>(SETTINGS);
    settings.putAll(extra);
    FreshetNode node = TestNodes.onDatabase(db, seed, settings);
    running.add(node);
    return node;
  }

  private static Address address(FreshetNode node) {
    return Cluster.get(node.system()).selfMember().address();
  }

  private static JsonNode view(Api api) {
    Api.Response r = api.get("/v1/admin/cluster");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body();
  }

  private static int upMembers(Api api) {
    return view(api).path("membersByStatus").path("up").asInt();
  }

  private static Map<String, JsonNode> regions(JsonNode sharding) {
    Map<String, JsonNode> byAddress = new HashMap<>();
    sharding.path("regions").forEach(r -> byAddress.put(r.path("address").asText(), r));
    return byAddress;
  }

  private static PrometheusText scrape(FreshetNode node) {
    return PrometheusText.parse(new Api(node).text("/metrics"));
  }
}
