package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many users near exhaustion at once make one sized request, not one per user. */
class PoolAggregationHttpTest {

  private static final int USERS = 1_000;
  private static final Duration WINDOW = Duration.ofSeconds(30);

  private static TestNodes.Standalone node;
  private static Api api;

  @BeforeAll
  static void start() {
    // the whole burst must fall inside one window: it took 10 s on a loaded machine running other
    // test
    // classes beside this one (8 s made two requests), so a window with room to spare
    node = TestNodes.standalone(Map.of("freshet.pool.window", WINDOW.toSeconds() + "s"));
    api = node.api();
    // a 20-item pool: 17 seen items are 85 %
    assertThat(api.post("/v1/items", Api.items("a", 20, 4, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Sends each user's batch from 16 threads at once. */
  private static void forEveryUser(ExecutorService pool, IntFunction<List<String>> items)
      throws Exception {
    List<Future<Integer>> sent = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      int user = u;
      sent.add(
          pool.submit(
              () ->
                  api.post("/v1/impressions", Api.impressions("crowd-" + user, items.apply(user)))
                      .status()));
    }
    for (Future<Integer> status : sent) assertThat(status.get()).isEqualTo(202);
  }

  @Test
  void aThousandUsersCrossingTogetherMakeOneRequest() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try {
      forEveryUser(threads, u -> Api.ids("a", 0, 16)); // 80 %: below every threshold
      assertThat(api.get("/v1/admin/pool").body().path("totals").path("signals").asInt()).isZero();

      // 85 %: a burst of a second or a few, inside the window the first signal opens
      long burst = System.nanoTime();
      forEveryUser(threads, u -> List.of("a16"));
      assertThat(Duration.ofNanos(System.nanoTime() - burst))
          .as("the burst fits in one window")
          .isLessThan(WINDOW);
    } finally {
      threads.shutdown();
    }

    Shards.awaitTrue(
        "one completed request",
        WINDOW.plusSeconds(30),
        () -> api.get("/v1/admin/pool").body().path("completed").size() == 1);
    JsonNode pool = api.get("/v1/admin/pool").body();
    assertThat(pool.path("totals").path("signals").asInt()).isEqualTo(USERS);
    assertThat(pool.path("totals").path("requests").asInt()).isEqualTo(1);
    JsonNode request = pool.path("completed").get(0).path("request");
    assertThat(request.path("users").asInt()).isEqualTo(USERS);
    assertThat(request.path("count").asInt()).isEqualTo(10);
    assertThat(request.path("reason").asText()).startsWith("1000 users crossed 85 %");
    assertThat(pool.path("completed").get(0).path("itemIds").size()).isEqualTo(10);

    // every user's figures moved with the one request: 17 of 30 seen
    for (int u : IntStream.of(0, 499, 999).toArray()) {
      assertThat(api.get("/v1/users/crowd-" + u + "/state").body().path("poolSize").asInt())
          .isEqualTo(30);
    }
  }
}
