package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.user.UserEntity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One node over a real socket, on a real PostgreSQL. */
class IngestAndRankingHttpTest extends SingleNodeTest {

  @BeforeAll
  static void catalog() {
    assertThat(api.post("/v1/items", Api.items("it", 300, 5, "active")).status()).isEqualTo(200);
    assertThat(api.post("/v1/items", Api.items("old", 20, 5, "archived")).status()).isEqualTo(200);
  }

  @Test
  void theSameBatchTwiceIsRecordedOnce() {
    String batch = Api.impressions("twice", List.of("it1", "it2", "it3", "it2"));

    Api.Response first = api.post("/v1/impressions", batch);
    Api.Response second = api.post("/v1/impressions", batch);

    assertThat(first.status()).isEqualTo(202);
    assertThat(first.body().path("recorded").asInt()).isEqualTo(3);
    assertThat(first.body().path("duplicates").asInt()).isEqualTo(1);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.body().path("recorded").asInt()).isEqualTo(0);
    assertThat(second.body().path("duplicates").asInt()).isEqualTo(4);
    // one event per batch: the second holds repeats only
    var journaled = Journal.impressions(node.system(), "twice");
    assertThat(journaled).hasSize(2);
    assertThat(journaled.get(0).firstTime()).hasSize(3);
    assertThat(journaled.get(0).repeated()).hasSize(1);
    assertThat(journaled.get(1).firstTime()).isEmpty();
    assertThat(journaled.get(1).repeated()).hasSize(4);
    assertThat(api.get("/v1/users/twice/state").body().path("seen").asInt()).isEqualTo(3);
  }

  @Test
  void sendBeaconTextPlainBodiesAreAccepted() {
    Api.Response response =
        api.post(
            "/v1/impressions",
            Api.impressions("beacon", List.of("it5")),
            "text/plain;charset=UTF-8");

    assertThat(response.status()).isEqualTo(202);
    assertThat(response.body().path("recorded").asInt()).isEqualTo(1);
  }

  @Test
  void theJournalKeepsWhereAndInWhichRankingItemsWereFirstShown() {
    api.post("/v1/impressions", Api.impressions("context", List.of("it40")));
    Api.Response response =
        api.post(
            "/v1/impressions",
            "{\"userId\":\"context\",\"itemIds\":[\"it40\",\"it41\",\"it42\"],"
                + "\"surface\":\"home-feed\",\"rankingId\":\"r-123\",\"positions\":[1,2,3]}");

    assertThat(response.body().path("recorded").asInt()).isEqualTo(2);
    UserEntity.ImpressionsShown event = Journal.impressions(node.system(), "context").get(1);
    var catalog = node.catalog().snapshot();
    assertThat(event.repeated()).containsExactly(catalog.byId("it40").orElseThrow().denseId());
    assertThat(event.firstTime())
        .containsExactly(
            catalog.byId("it41").orElseThrow().denseId(),
            catalog.byId("it42").orElseThrow().denseId());
    assertThat(event.positions()).containsExactly(2, 3);
    assertThat(event.surface()).isEqualTo("home-feed");
    assertThat(event.rankingId()).isEqualTo("r-123");
  }

  @Test
  void tenConcurrentClientsWithOverlappingBatchesRecordEveryItemExactlyOnce() throws Exception {
    String user = "many-tabs";
    Random random = new Random(7);
    List<List<String>> batches = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    for (int b = 0; b < 100; b++) {
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < 20; i++) batch.add("it" + random.nextInt(150)); // heavy overlap
      batches.add(batch);
      expected.addAll(batch);
    }
    ExecutorService clients = Executors.newFixedThreadPool(10);
    List<Callable<Integer>> work = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      List<List<String>> mine = new ArrayList<>(batches);
      Collections.shuffle(mine, new Random(c));
      work.add(
          () -> {
            int recorded = 0;
            for (List<String> batch : mine.subList(0, 50)) {
              Api.Response r = api.post("/v1/impressions", Api.impressions(user, batch));
              assertThat(r.status()).isEqualTo(202);
              recorded += r.body().path("recorded").asInt();
            }
            return recorded;
          });
    }
    int recordedTotal = 0;
    for (Future<Integer> f : clients.invokeAll(work)) recordedTotal += f.get();
    clients.shutdown();

    // every client together sent all 100 batches at least once (each picked 50 of a shuffled 100)
    Set<String> sent = new HashSet<>();
    for (int c = 0; c < 10; c++) {
      List<List<String>> mine = new ArrayList<>(batches);
      Collections.shuffle(mine, new Random(c));
      mine.subList(0, 50).forEach(sent::addAll);
    }
    List<Integer> journaled = new ArrayList<>();
    for (UserEntity.ImpressionsShown event : Journal.impressions(node.system(), user)) {
      for (int id : event.firstTime()) journaled.add(id);
    }
    assertThat(journaled).doesNotHaveDuplicates().hasSize(sent.size());
    assertThat(recordedTotal).isEqualTo(sent.size());
    Set<Integer> expectedDense = new HashSet<>();
    for (String id : sent)
      expectedDense.add(node.catalog().snapshot().byId(id).orElseThrow().denseId());
    assertThat(new HashSet<>(journaled)).isEqualTo(expectedDense);
    assertThat(api.get("/v1/users/" + user + "/state").body().path("seen").asInt())
        .isEqualTo(sent.size());
  }

  @Test
  void recommendationsNeverContainSeenOrInactiveItems() {
    String user = "reader";
    List<String> seen = Api.ids("it", 0, 250);
    for (int from = 0; from < seen.size(); from += 50) {
      api.post("/v1/impressions", Api.impressions(user, seen.subList(from, from + 50)));
    }
    // archive one of the remaining items after the fact: it must leave the pool at once
    assertThat(
            api.post(
                    "/v1/items",
                    "{\"items\":[{\"id\":\"it299\",\"category\":\"c4\",\"status\":\"archived\"}]}")
                .status())
        .isEqualTo(200);

    Api.Response ranking = api.get("/v1/users/" + user + "/recommendations?k=200");

    assertThat(ranking.status()).isEqualTo(200);
    List<String> ranked = Api.rankedIds(ranking);
    assertThat(ranked).containsExactlyInAnyOrderElementsOf(Api.ids("it", 250, 299));
    assertThat(ranking.body().path("rankingId").asText()).isNotBlank();
    assertThat(ranking.body().path("variant").asText()).isEqualTo("default");
    for (int i = 0; i < ranked.size(); i++) {
      assertThat(ranking.body().path("items").get(i).path("position").asInt()).isEqualTo(i + 1);
    }
    assertThat(ranking.body().path("items").get(0).has("explain")).isFalse();

    Api.Response state = api.get("/v1/users/" + user + "/state");
    assertThat(state.body().path("seen").asInt()).isEqualTo(250);
    assertThat(state.body().path("poolSize").asInt()).isEqualTo(299);
    assertThat(state.body().path("unseen").asInt()).isEqualTo(49);
    assertThat(state.body().path("coverage").asDouble()).isEqualTo(250.0 / 299);
  }

  @Test
  void categoryExcludeAndExplain() {
    Api.Response ranking =
        api.get("/v1/users/newcomer/recommendations?k=3&category=c1&exclude=it1,it6&explain=true");

    assertThat(Api.rankedIds(ranking)).containsExactly("it11", "it16", "it21");
    for (var item : ranking.body().path("items")) {
      double sum = 0;
      for (var contribution : item.path("explain")) sum += contribution.asDouble();
      assertThat(sum).isCloseTo(item.path("score").asDouble(), Offset.offset(1e-9));
    }
    assertThat(ranking.body().path("items").get(0).path("reason").asText()).isEqualTo("popular");
  }

  @Test
  void itemsCanBeReadBack() {
    Api.Response item = api.get("/v1/items/it7");

    assertThat(item.status()).isEqualTo(200);
    assertThat(item.body().path("category").asText()).isEqualTo("c2");
    assertThat(item.body().path("status").asText()).isEqualTo("active");
    assertThat(item.body().path("tags").get(0).asText()).isEqualTo("t1");
    assertThat(api.get("/v1/items/nope").status()).isEqualTo(404);
  }

  @Test
  void healthEndpoints() {
    assertThat(api.get("/health/alive").status()).isEqualTo(200);
    Api.Response ready = api.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body().path("status").asText()).isEqualTo("ready");
  }
}
