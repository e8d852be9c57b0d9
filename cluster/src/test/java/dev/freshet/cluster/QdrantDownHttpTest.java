package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.persistence.EmbeddedDatabase;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node configured for Qdrant while no Qdrant answers (a port nobody listens on): rankings and
 * similar items still answer, from the embedded index, and say so; the admin API and /metrics show
 * why. (The Qdrant adapter itself is tested against a fake Qdrant in the qdrant module.)
 */
class QdrantDownHttpTest {

  private static EmbeddedDatabase db;
  private static FreshetNode node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    db = TestNodes.database();
    Map<String, Object> config = new HashMap<>();
    config.put("freshet.db.url", db.jdbcUrl());
    config.put("freshet.ranking.retrieval.min-pool", 20);
    config.put("freshet.vectors.index", "qdrant");
    config.put("freshet.vectors.qdrant.url", "http://127.0.0.1:" + closedPort);
    node = FreshetNode.start(TestNodes.config(config), Optional.empty());
    api = new Api(node);
    Random random = new Random(3);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      StringBuilder e = new StringBuilder("[");
      for (int d = 0; d < 16; d++)
        e.append(d == 0 ? "" : ",")
            .append(
                String.format(
                    Locale.ROOT, "%.4f", (d == i % 4 ? 1 : 0) + 0.1 * random.nextGaussian()));
      items.add(
          "{\"id\":\"q%d\",\"category\":\"c%d\",\"popularity\":%d,\"embedding\":%s]}"
              .formatted(i, i % 4, 60 - i, e));
    }
    assertThat(api.post("/v1/items", "{\"items\":[" + String.join(",", items) + "]}").status())
        .isEqualTo(200);
    long until = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < until) {
      JsonNode embedded = api.get("/v1/admin/vectors").body().path("indexes").path(1);
      if (embedded.path("state").asText().equals("ready") && embedded.path("items").asInt() == 60)
        break;
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    node.stop();
    db.close();
  }

  @Test
  void rankingsAndSimilarItemsAnswerFromTheEmbeddedIndexAndSayWhy() {
    assertThat(api.post("/v1/events", Api.events(Api.event("like", "qd", "q1"))).status())
        .isEqualTo(202);
    Api.Response ranking = api.get("/v1/users/qd/recommendations?k=5&explain=true");
    assertThat(ranking.status()).isEqualTo(200);
    assertThat(ranking.body().path("items").size()).isEqualTo(5);
    assertThat(ranking.body().path("degraded").asText())
        .startsWith("qdrant-")
        .contains("answered from the embedded index");
    List<String> sources = new ArrayList<>();
    ranking
        .body()
        .path("items")
        .forEach(i -> i.path("sources").forEach(s -> sources.add(s.asText())));
    assertThat(sources).contains("vector");

    Api.Response similar = api.get("/v1/items/q1/similar?k=4");
    assertThat(similar.status()).isEqualTo(200);
    assertThat(similar.body().path("items").size()).isEqualTo(4);
    similar
        .body()
        .path("items")
        .forEach(i -> assertThat(i.path("category").asText()).isEqualTo("c1"));
    assertThat(similar.body().path("degraded").asText()).startsWith("qdrant-");

    JsonNode vectors = api.get("/v1/admin/vectors").body();
    assertThat(vectors.path("indexes").path(0).path("kind").asText()).isEqualTo("qdrant");
    assertThat(vectors.path("indexes").path(1).path("kind").asText()).isEqualTo("embedded");
    String metrics =
        api.raw(java.net.http.HttpRequest.newBuilder(api.uri("/metrics")).GET()).body();
    assertThat(metrics)
        .containsPattern("freshet_degraded_answers_total\\{reason=\"qdrant-[a-z-]+\"\\} [1-9]");
    assertThat(metrics)
        .containsPattern(
            "freshet_vector_failures_total\\{index=\"qdrant\",reason=\"qdrant-[a-z-]+\"\\} [1-9]");
  }
}
