package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.client.FreshetClient;
import dev.freshet.client.FreshetClientException;
import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A service's member built with the client library (its own ActorSystem, over real Artery TCP)
 * joins a serving node as a sharding proxy of role {@code proxy}, and changes users whose state the
 * node's public HTTP API then shows; the proxy hosts no entity.
 */
class ClusterClientTest {

  /**
   * The serving nodes' cluster formation (role {@code serve} for entities, coordinators and
   * singletons), which the client relies on.
   */
  static final Map<String, Object> SERVE =
      Map.of(
          "pekko.cluster.roles",
          List.of("serve"),
          "pekko.cluster.sharding.role",
          "serve",
          "pekko.cluster.sharded-daemon-process.sharding.role",
          "serve",
          "pekko.cluster.singleton.role",
          "serve",
          "pekko.cluster.singleton-proxy.role",
          "serve");

  private final EmbeddedDatabase db = TestNodes.database();
  private FreshetNode node;
  private FreshetClient client;

  @AfterEach
  void stop() {
    if (client != null) client.close();
    if (node != null) node.stop();
    db.close();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aProxyMemberChangesUsersThatThePublicApiShowsAndHostsNone() throws Exception {
    node = TestNodes.onDatabase(db, Optional.empty(), SERVE);
    Api api = new Api(node);
    assertThat(api.post("/v1/items", items()).status()).isEqualTo(200);
    Address seed = Cluster.get(node.system()).selfMember().address();

    client =
        FreshetClient.builder()
            .seedNodes(seed.toString())
            .hostname("127.0.0.1")
            .port(0)
            .askTimeout(Duration.ofSeconds(10))
            .start();
    await(client.up());
    Shards.awaitTrue(
        "the proxy is an Up member of role proxy, seen by the node",
        Duration.ofSeconds(30),
        () -> {
          for (Member m : Cluster.get(node.system()).state().getMembers()) {
            if (m.hasRole(FreshetClient.ROLE) && m.status() == MemberStatus.up()) return true;
          }
          return false;
        });
    Address proxy = Cluster.get(client.system()).selfMember().address();
    assertThat(proxy.getPort()).isPresent(); // a real Artery TCP address
    assertThat(proxy).isNotEqualTo(seed);
    assertThat(Cluster.get(client.system()).selfMember().hasRole("serve")).isFalse();

    // impressions and events, by catalog ids
    var shown = await(client.recordImpressions("carla", List.of("c0", "c1", "c2", "c1")));
    assertThat(shown).isEqualTo(new UserEntity.ImpressionsResult(3, 1, true));
    var events =
        await(
            client.recordEvents(
                "carla",
                List.of(
                    new UserEntity.ItemEvent(
                        "c3",
                        InteractionType.LIKE,
                        System.currentTimeMillis(),
                        null,
                        null,
                        null,
                        null),
                    new UserEntity.ItemEvent(
                        "c4",
                        InteractionType.DWELL,
                        System.currentTimeMillis(),
                        null,
                        30_000L,
                        null,
                        null))));
    assertThat(events.accepted()).isEqualTo(2);
    assertThat(events.stored()).isTrue();
    // a batch sent again under its key (after a timeout, say) is answered as before, written once
    long at = System.currentTimeMillis();
    var keyed = client.recordImpressions("erin", List.of("c5", "c6"), null, null, null, at, "b-1");
    assertThat(await(keyed)).isEqualTo(new UserEntity.ImpressionsResult(2, 0, true, false));
    assertThat(
            await(
                client.recordImpressions("erin", List.of("c5", "c6"), null, null, null, at, "b-1")))
        .isEqualTo(new UserEntity.ImpressionsResult(2, 0, true, true));
    assertThat(
            await(
                client.recordImpressions("erin", List.of("c5", "c6"), null, null, null, at, "b-2")))
        .isEqualTo(new UserEntity.ImpressionsResult(0, 2, true, false));
    // persona and pushed features
    assertThat(await(client.setPersona("dora", new Persona(List.of("cat-1"), List.of("t"), null))))
        .isNotNull();
    float[] factors = new float[16];
    factors[1] = 2f;
    assertThat(await(client.pushFeatures("carla", factors, "als-outside")).stored()).isTrue();

    // the public HTTP API of the node shows it all
    Api.Response carla = api.get("/v1/users/carla/state");
    assertThat(carla.status()).isEqualTo(200);
    assertThat(carla.body().path("seen").asInt()).isEqualTo(5);
    assertThat(carla.body().path("features").path("interactions").path("like").asInt())
        .isEqualTo(1);
    assertThat(carla.body().path("features").path("dwell").path("count").asInt()).isEqualTo(1);
    assertThat(carla.body().path("features").path("pushed").path("source").asText())
        .isEqualTo("als-outside");
    assertThat(carla.body().path("features").path("pushed").path("dimension").asInt())
        .isEqualTo(16);
    Api.Response dora = api.get("/v1/users/dora/state");
    assertThat(dora.body().path("features").path("persona").path("categories").get(0).asText())
        .isEqualTo("cat-1");
    // the pushed vector ranks: items along it gain, in the node's own ranking
    Api.Response ranking = api.get("/v1/users/carla/recommendations?k=20&explain=true");
    assertThat(ranking.status()).isEqualTo(200);
    ranking
        .body()
        .path("items")
        .forEach(
            item -> {
              double similarity = item.path("explain").path("vectorSimilarity").asDouble();
              int i = Integer.parseInt(item.path("id").asText().substring(1));
              if (i % 2 == 1) assertThat(similarity).as(item.toString()).isPositive();
            });
    // the client's own reads go the same way
    assertThat(await(client.state("carla")).seen()).isEqualTo(5);
    var recommended =
        await(client.recommend("carla", new RankingRequest(5, Optional.empty(), Set.of(), false)));
    assertThat(recommended.served().items()).hasSize(5);
    assertThat(recommended.served().items())
        .extracting(r -> r.id())
        .doesNotContain("c0", "c1", "c2", "c3", "c4");

    // a refusal is an exception naming the field, and changes nothing
    assertThatThrownBy(() -> await(client.recordImpressions("carla", List.of("c5", "nope"))))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(FreshetClientException.Refused.class)
        .hasMessage("itemIds[1] (nope) is not in the catalog");
    assertThatThrownBy(() -> await(client.pushFeatures("carla", new float[3], null)))
        .cause()
        .isInstanceOf(FreshetClientException.Refused.class)
        .hasMessage("vector must have 16 dimensions, not 3");
    assertThat(api.get("/v1/users/carla/state").body().path("seen").asInt()).isEqualTo(5);

    // consent through the client: the node's API sees it withdrawn
    assertThat(await(client.setConsent("carla", false)).changed()).isTrue();
    assertThat(api.get("/v1/users/carla/state").body().path("consent").asBoolean()).isFalse();

    // erasure through a serving node's erasure service: the entity and the rows, as DELETE does
    var erased = await(client.forget("dora"));
    assertThat(erased.userId()).isEqualTo("dora");
    assertThat(erased.removed().values().stream().mapToInt(Integer::intValue).sum()).isPositive();
    assertThat(api.get("/v1/users/dora/state").body().path("features").has("persona")).isFalse();
    assertThat(Journal.events(node.system(), "dora"))
        .noneMatch(e -> e instanceof UserEntity.PersonaSet);

    // every entity lives on the node; the proxy hosts none and no shard
    assertThat(residentOn(client)).isEmpty();
    assertThat(Shards.residentUsers(node)).contains("carla");
    var stats =
        AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                ClusterSharding.get(node.system()).shardState(),
                r -> new GetClusterShardingStats(UserEntity.TYPE_KEY, Duration.ofSeconds(5), r),
                Duration.ofSeconds(10),
                node.system().scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    assertThat(stats.getRegions().keySet()).contains(seed).doesNotContain(proxy);
  }

  @Test
  void aClientNeedsSeedNodesOfItsSystemAndNoServingRole() {
    assertThatThrownBy(() -> FreshetClient.builder().start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed nodes");
    assertThatThrownBy(
            () -> FreshetClient.builder().seedNodes("pekko://other@127.0.0.1:7355").start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not freshet");
    assertThatThrownBy(() -> FreshetClient.builder().seedNodes("not an address"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withoutAServingNodeACommandTimesOut() throws Exception {
    // nothing listens there: the member never joins, and the proxy finds no coordinator
    client =
        FreshetClient.builder()
            .seedNodes("pekko://freshet@127.0.0.1:9")
            .askTimeout(Duration.ofMillis(500))
            .start();
    assertThatThrownBy(() -> await(client.recordImpressions("nobody", List.of("c0"))))
        .cause()
        .isInstanceOf(FreshetClientException.Timeout.class)
        .hasMessageContaining("nobody");
    assertThatThrownBy(() -> await(client.forget("nobody")))
        .cause()
        .isInstanceOf(FreshetClientException.Timeout.class);
    assertThat(client.up().toCompletableFuture().isDone()).isFalse();
  }

  /** The user entities the client's member holds in memory. */
  private static Set<String> residentOn(FreshetClient client) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(client.system()).shardState(),
                r -> new GetShardRegionState(UserEntity.TYPE_KEY, r),
                Duration.ofSeconds(10),
                client.system().scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    for (ShardRegion.ShardState shard : state.getShards()) ids.addAll(shard.getEntityIds());
    assertThat(state.getShards()).isEmpty();
    return ids;
  }

  /** Items c0…c19 in 4 categories; odd items point along axis 1, even ones along axis 0. */
  private static String items() {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      StringBuilder e = new StringBuilder("[");
      for (int d = 0; d < 16; d++) e.append(d == 0 ? "" : ",").append(d == i % 2 ? 1.0 : 0.0);
      items.add(
          "{\"id\":\"c%d\",\"category\":\"cat-%d\",\"tags\":[\"t\"],\"embedding\":%s]}"
              .formatted(i, i % 4, e));
    }
    return "{\"items\":[" + String.join(",", items) + "]}";
  }
}
