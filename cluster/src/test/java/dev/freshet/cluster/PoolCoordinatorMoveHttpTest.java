package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.freshet.persistence.EmbeddedDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool coordinator's singleton moves between two real nodes on one PostgreSQL: the node hosting
 * it leaves while a generation request is in flight at a webhook that has not answered. The other
 * node's coordinator recovers the bookkeeping from the journal (the user at risk, the request, the
 * totals), asks the webhook again for that request under the same id exactly once, and records it
 * completed once.
 */
class PoolCoordinatorMoveHttpTest {

  private final EmbeddedDatabase db = TestNodes.database();
  private final List<FreshetNode> running = new ArrayList<>();
  private final List<String> requestIds = new CopyOnWriteArrayList<>();
  private final CountDownLatch answer = new CountDownLatch(1);
  private final ExecutorService webhookThreads = Executors.newCachedThreadPool();
  private final HttpServer webhook;

  PoolCoordinatorMoveHttpTest() throws IOException {
    webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.setExecutor(webhookThreads);
    webhook.createContext(
        "/generate",
        exchange -> {
          JsonNode request = Api.JSON.readTree(exchange.getRequestBody());
          String id = request.path("requestId").asText();
          requestIds.add(id);
          try {
            // every call waits until the test lets the webhook answer
            answer.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          List<String> items = new ArrayList<>();
          for (int i = 0; i < request.path("count").asInt(); i++) {
            items.add("{\"id\":\"hook-" + id.substring(0, 8) + "-" + i + "\",\"category\":\"c0\"}");
          }
          byte[] body =
              ("{\"items\":[" + String.join(",", items) + "]}").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          try {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          } catch (IOException gone) {
            // the node that asked has left
          }
          exchange.close();
        });
    webhook.start();
  }

  @AfterEach
  void stopAll() {
    answer.countDown();
    for (FreshetNode node : running) node.stop();
    db.close();
    webhook.stop(0);
    webhookThreads.shutdownNow();
  }

  private FreshetNode start(Optional<Address> seed) {
    Map<String, Object> config = new HashMap<>();
    config.put("freshet.pool.generator", "webhook");
    config.put(
        "freshet.pool.webhook.url",
        "http://127.0.0.1:" + webhook.getAddress().getPort() + "/generate");
    config.put("freshet.pool.webhook.attempts", 1);
    config.put("freshet.pool.webhook.timeout", "60s");
    config.put("freshet.pool.window", "300ms");
    FreshetNode node = TestNodes.onDatabase(db, seed, config);
    running.add(node);
    return node;
  }

  private static long upMembers(FreshetNode node) {
    long up = 0;
    for (var member : Cluster.get(node.system()).state().getMembers())
      if (member.status() == MemberStatus.up()) up++;
    return up;
  }

  @Test
  void theRequestInFlightAndTheUserAtRiskMoveWithTheSingleton() throws Exception {
    FreshetNode first = start(Optional.empty()); // the oldest node: it hosts the singleton
    FreshetNode second = start(Optional.of(Cluster.get(first.system()).selfMember().address()));
    Shards.awaitTrue(
        "two members up",
        Duration.ofSeconds(30),
        () -> upMembers(first) == 2 && upMembers(second) == 2);
    Api api = new Api(second);
    assertThat(new Api(first).post("/v1/items", Api.items("m", 20, 2, "active")).status())
        .isEqualTo(200);
    Shards.awaitTrue(
        "catalog replicated",
        Duration.ofSeconds(5),
        () -> second.catalog().snapshot().byId("m19").isPresent());

    // 18 of 20 seen: 85 % and 90 % crossed, 2 unseen: at risk
    assertThat(api.post("/v1/impressions", Api.impressions("mover", Api.ids("m", 0, 18))).status())
        .isEqualTo(202);
    Shards.awaitTrue("the webhook asked", Duration.ofSeconds(15), () -> requestIds.size() == 1);
    String requestId = requestIds.get(0);
    Shards.awaitTrue(
        "the user at risk journaled",
        Duration.ofSeconds(5),
        () -> api.get("/v1/admin/pool").body().path("usersAtRisk").asInt() == 1);
    JsonNode before = api.get("/v1/admin/pool").body();
    assertThat(before.path("inFlight").get(0).path("request").path("id").asText())
        .isEqualTo(requestId);
    assertThat(before.path("totals").path("signals").asInt()).isEqualTo(2);

    // the singleton's node leaves: the coordinator hands over to the other one
    first.stop();
    running.remove(first);

    Shards.awaitTrue(
        "the moved coordinator asks again", Duration.ofSeconds(30), () -> requestIds.size() == 2);
    assertThat(requestIds.get(1)).isEqualTo(requestId);
    JsonNode moved = api.get("/v1/admin/pool").body();
    assertThat(moved.path("inFlight").size()).isEqualTo(1);
    assertThat(moved.path("inFlight").get(0).path("request").path("id").asText())
        .isEqualTo(requestId);
    assertThat(moved.path("inFlight").get(0).path("request"))
        .isEqualTo(before.path("inFlight").get(0).path("request"));
    assertThat(moved.path("usersAtRisk").asInt()).isEqualTo(1);
    assertThat(moved.path("atRisk").get(0).path("userId").asText()).isEqualTo("mover");
    assertThat(moved.path("totals")).isEqualTo(before.path("totals"));
    assertThat(api.text("/metrics"))
        .contains("freshet_pool_requests_in_flight 1.0")
        .contains("freshet_pool_users_at_risk 1.0")
        .contains("freshet_pool_signals_total 2.0");

    answer.countDown();
    Shards.awaitTrue(
        "the request completed",
        Duration.ofSeconds(15),
        () -> api.get("/v1/admin/pool").body().path("completed").size() == 1);
    Thread.sleep(1_000);
    JsonNode done = api.get("/v1/admin/pool").body();
    assertThat(done.path("completed").size()).isEqualTo(1);
    assertThat(done.path("completed").get(0).path("request").path("id").asText())
        .isEqualTo(requestId);
    assertThat(done.path("totals").path("completed").asInt()).isEqualTo(1);
    assertThat(done.path("totals").path("requests").asInt()).isEqualTo(1);
    assertThat(done.path("inFlight").size()).isZero();
    assertThat(requestIds).hasSize(2);
    // the new items are in the catalog once and the user has them to see
    assertThat(api.get("/v1/users/mover/state").body().path("poolSize").asInt())
        .isEqualTo(20 + done.path("completed").get(0).path("itemIds").size());
  }
}
