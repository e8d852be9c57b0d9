package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three nodes in one JVM (three ActorSystems on port 0) on one shared PostgreSQL. */
class ThreeNodeClusterTest {

  private final EmbeddedDatabase db = TestNodes.database();
  private final List<FreshetNode> running = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (FreshetNode node : running) node.stop();
    db.close();
  }

  @Test
  void oneEntityPerUserAcrossNodesAndItMovesWithItsSeenSetWhenItsNodeStops() throws Exception {
    FreshetNode a = start(Optional.empty());
    Address seed = Cluster.get(a.system()).selfMember().address();
    FreshetNode b = start(Optional.of(seed));
    FreshetNode c = start(Optional.of(seed));
    Shards.awaitTrue(
        "three members up",
        Duration.ofSeconds(30),
        () -> running.stream().allMatch(n -> upMembers(n) == 3));

    // a catalog change made through one node reaches the others by itself
    assertThat(new Api(a).post("/v1/items", Api.items("n", 60, 3, "active")).status())
        .isEqualTo(200);
    Shards.awaitTrue(
        "catalog replicated",
        Duration.ofSeconds(2),
        () ->
            b.catalog().snapshot().byId("n59").isPresent()
                && c.catalog().snapshot().byId("n59").isPresent());

    // every node's vector index follows its catalog: an item archived through one node leaves
    // every node's similar items
    assertThat(new Api(a).post("/v1/items", vectorItems("active")).status()).isEqualTo(200);
    Shards.awaitTrue(
        "similar items on every node",
        Duration.ofSeconds(3),
        () -> running.stream().allMatch(node -> similarTo(node, "v0").contains("v2")));
    // what a user has seen is left out on every node, wherever the user's entity lives
    assertThat(
            new Api(a).post("/v1/impressions", Api.impressions("looker", List.of("v2"))).status())
        .isEqualTo(202);
    for (FreshetNode node : running) {
      Api.Response r = new Api(node).get("/v1/items/v0/similar?k=2&excludeSeenBy=looker");
      assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      List<String> ids = new ArrayList<>();
      r.body().path("items").forEach(i -> ids.add(i.path("id").asText()));
      assertThat(ids).contains("v4").doesNotContain("v2");
    }
    assertThat(new Api(a).post("/v1/items", vectorItem(2, "archived")).status()).isEqualTo(200);
    Shards.awaitTrue(
        "archived item gone from every node's similar items",
        Duration.ofSeconds(2),
        () -> running.stream().noneMatch(node -> similarTo(node, "v0").contains("v2")));
    // out of the pool again, so that the ranking below sees the n-items only
    assertThat(new Api(a).post("/v1/items", vectorItems("archived")).status()).isEqualTo(200);
    Shards.awaitTrue(
        "vector items archived everywhere",
        Duration.ofSeconds(2),
        () ->
            running.stream()
                .allMatch(node -> !node.catalog().snapshot().byId("v5").orElseThrow().isActive()));

    // the same user through every node: one entity dedups across all of them
    Api.Response viaA =
        new Api(a).post("/v1/impressions", Api.impressions("wanderer", Api.ids("n", 0, 20)));
    Api.Response viaB =
        new Api(b).post("/v1/impressions", Api.impressions("wanderer", Api.ids("n", 10, 30)));
    Api.Response viaC =
        new Api(c).post("/v1/impressions", Api.impressions("wanderer", Api.ids("n", 20, 40)));
    assertThat(viaA.body().path("recorded").asInt()).isEqualTo(20);
    assertThat(viaB.body().path("recorded").asInt()).isEqualTo(10);
    assertThat(viaB.body().path("duplicates").asInt()).isEqualTo(10);
    assertThat(viaC.body().path("recorded").asInt()).isEqualTo(10);
    for (FreshetNode node : running) {
      assertThat(new Api(node).get("/v1/users/wanderer/state").body().path("seen").asInt())
          .isEqualTo(40);
    }
    assertThat(Journal.impressions(a.system(), "wanderer")).hasSize(3);

    // interactions on one node count in every node's popularity
    String click = "{\"events\":[{\"type\":\"like\",\"userId\":\"wanderer\",\"itemId\":\"n50\"}]}";
    assertThat(new Api(c).post("/v1/events", click).status()).isEqualTo(202);
    int n50 = a.catalog().snapshot().byId("n50").orElseThrow().denseId();
    Shards.awaitTrue(
        "popularity shared",
        Duration.ofSeconds(5),
        () ->
            running.stream()
                .allMatch(node -> Math.abs(node.popularity().board().item(n50) - 2.0) < 0.01));

    FreshetNode host = hostOf("wanderer");
    host.stop();
    running.remove(host);
    FreshetNode survivor = running.get(0);
    Shards.awaitTrue(
        "two members up",
        Duration.ofSeconds(30),
        () -> running.stream().allMatch(n -> upMembers(n) == 2));

    Api api = new Api(survivor);
    assertThat(api.get("/v1/users/wanderer/state").body().path("seen").asInt()).isEqualTo(41);
    Api.Response replay =
        api.post("/v1/impressions", Api.impressions("wanderer", Api.ids("n", 0, 45)));
    assertThat(replay.body().path("recorded").asInt()).isEqualTo(5);
    assertThat(replay.body().path("duplicates").asInt()).isEqualTo(40);
    List<String> unseen = new ArrayList<>(Api.ids("n", 45, 60));
    unseen.remove("n50"); // liked above, so seen
    assertThat(Api.rankedIds(api.get("/v1/users/wanderer/recommendations?k=200")))
        .containsExactlyInAnyOrderElementsOf(unseen);
    assertThat(running).contains(hostOf("wanderer"));
  }

  /** v0 … v5: v0, v2 and v4 point one way, v1, v3 and v5 the other. */
  private static String vectorItems(String status) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 6; i++) items.add(vectorItemJson(i, status));
    return "{\"items\":[" + String.join(",", items) + "]}";
  }

  private static String vectorItem(int i, String status) {
    return "{\"items\":[" + vectorItemJson(i, status) + "]}";
  }

  private static String vectorItemJson(int i, String status) {
    StringBuilder e = new StringBuilder("[");
    for (int d = 0; d < 16; d++) e.append(d == 0 ? "" : ",").append(d == i % 2 ? 1.0 : 0.01 * i);
    return "{\"id\":\"v%d\",\"category\":\"vc\",\"status\":\"%s\",\"embedding\":%s]}"
        .formatted(i, status, e);
  }

  private static List<String> similarTo(FreshetNode node, String itemId) {
    Api.Response r = new Api(node).get("/v1/items/" + itemId + "/similar?k=2");
    List<String> ids = new ArrayList<>();
    r.body().path("items").forEach(i -> ids.add(i.path("id").asText()));
    return ids;
  }

  private FreshetNode start(Optional<Address> seed) {
    FreshetNode node = TestNodes.onDatabase(db, seed);
    running.add(node);
    return node;
  }

  private static long upMembers(FreshetNode node) {
    var members = Cluster.get(node.system()).state().getMembers();
    long up = 0;
    for (var member : members) if (member.status() == MemberStatus.up()) up++;
    return up;
  }

  /** The running node whose shard region holds the user's entity. */
  private FreshetNode hostOf(String userId) {
    return running.stream()
        .filter(node -> Shards.residentUsers(node).contains(userId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("No node hosts " + userId));
  }
}
