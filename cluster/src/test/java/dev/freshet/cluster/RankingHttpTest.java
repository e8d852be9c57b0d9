package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.EmbeddedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ranking engine over HTTP on real PostgreSQL, with two A/B variants and a shadow variant. */
class RankingHttpTest {

  private static EmbeddedDatabase db;
  private static FreshetNode node;
  private static Api api;

  @BeforeAll
  static void start() {
    db = TestNodes.database();
    Map<String, Object> config = new HashMap<>();
    config.put("freshet.db.url", db.jdbcUrl());
    config.put(
        "freshet.ranking.ab.variants",
        List.of(
            Map.of("name", "a", "share", 50),
            Map.of("name", "b", "share", 50, "weights", Map.of("freshness", 0.9))));
    config.put(
        "freshet.ranking.ab.shadow",
        Map.of("name", "shadow", "weights", Map.of("popularity", 1.0, "categoryAffinity", 0.0)));
    config.put("freshet.ranking-events.max-delay", "200ms");
    node = FreshetNode.start(TestNodes.config(config), Optional.empty());
    api = new Api(node);
    // r0 … r99 in five categories c0 … c4 (item i in c(i % 5)), popularity 100 - i
    assertThat(api.post("/v1/items", Api.items("r", 100, 5, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    node.stop();
    db.close();
  }

  private static List<JsonNode> items(Api.Response ranking) {
    List<JsonNode> items = new ArrayList<>();
    ranking.body().path("items").forEach(items::add);
    return items;
  }

  @Test
  void clicksOnACategoryRankItUpCappedByDiversity() {
    StringBuilder clicks = new StringBuilder("{\"events\":[");
    for (int i = 2; i < 60; i += 5) { // r2, r7, … are all c2
      if (i > 2) clicks.append(',');
      clicks
          .append("{\"type\":\"click\",\"userId\":\"clicker\",\"itemId\":\"r")
          .append(i)
          .append("\"}");
    }
    assertThat(api.post("/v1/events", clicks.append("]}").toString()).status()).isEqualTo(202);

    List<JsonNode> top = items(api.get("/v1/users/clicker/recommendations?k=10&explain=true"));

    List<JsonNode> c2 =
        top.stream()
            .filter(i -> Integer.parseInt(i.path("id").asText().substring(1)) % 5 == 2)
            .toList();
    assertThat(c2).hasSize(4); // max-per-category
    // the best unseen c2 item leads, unless an item another test clicked is trending
    JsonNode lead = c2.get(0);
    assertThat(lead.path("id").asText()).isEqualTo("r62");
    assertThat(top.indexOf(lead)).isLessThanOrEqualTo(1);
    assertThat(lead.path("explain").path("categoryAffinity").asDouble())
        .isEqualTo(0.25); // strongest taste × weight
    assertThat(lead.path("reason").asText()).isEqualTo("affinity");
    for (JsonNode item : top) {
      double sum = 0;
      for (JsonNode contribution : item.path("explain")) sum += contribution.asDouble();
      assertThat(sum).isCloseTo(item.path("score").asDouble(), Offset.offset(1e-9));
    }
  }

  @Test
  void theSameUserAlwaysLandsInTheSameVariantAndUsersSpreadOverBoth() {
    Map<String, Integer> perVariant = new HashMap<>();
    for (int u = 0; u < 40; u++) {
      String first =
          api.get("/v1/users/ab-" + u + "/recommendations?k=3").body().path("variant").asText();
      for (int again = 0; again < 3; again++) {
        assertThat(
                api.get("/v1/users/ab-" + u + "/recommendations?k=3")
                    .body()
                    .path("variant")
                    .asText())
            .isEqualTo(first);
      }
      perVariant.merge(first, 1, Integer::sum);
    }
    assertThat(perVariant.keySet()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void explorationSlotsAreMarked() {
    List<JsonNode> ranking = items(api.get("/v1/users/explorer/recommendations?k=20"));

    List<JsonNode> explored =
        ranking.stream().filter(i -> i.path("reason").asText().equals("exploration")).toList();
    assertThat(explored).hasSize(2); // exploration.share 0.1 of 20
    assertThat(ranking).hasSize(20);
  }

  @Test
  void aClickCarryingTheRankingIdJoinsTheRankingThatShowedIt() throws Exception {
    Api.Response ranking = api.get("/v1/users/joiner/recommendations?k=5");
    String rankingId = ranking.body().path("rankingId").asText();
    JsonNode third = ranking.body().path("items").get(2);
    String click =
        "{\"events\":[{\"type\":\"click\",\"userId\":\"joiner\",\"itemId\":\""
            + third.path("id").asText()
            + "\",\"rankingId\":\""
            + rankingId
            + "\",\"position\":3}]}";
    assertThat(api.post("/v1/events", click).status()).isEqualTo(202);

    // the click in the journal carries the ranking id ...
    Interaction journaled =
        ((UserEntity.InteractionsRecorded) Journal.events(node.system(), "joiner").get(0))
            .interactions()
            .get(0);
    assertThat(journaled.rankingId()).isEqualTo(rankingId);
    // ... and joins the written-behind ranking event at the position it was shown
    Shards.awaitTrue(
        "ranking event written", Duration.ofSeconds(5), () -> rankingRows("joiner") >= 2);
    try (Connection c = node.database().dataSource().getConnection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT r.variant, cand.position FROM ranking_events r, unnest(r.item_ids, r.positions) AS cand(item, position) "
                    + "WHERE r.ranking_id = ? AND r.served AND cand.item = ?")) {
      q.setString(1, journaled.rankingId());
      q.setString(2, third.path("id").asText());
      try (ResultSet rs = q.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(ranking.body().path("variant").asText());
        assertThat(rs.getInt(2)).isEqualTo(journaled.position()).isEqualTo(3);
      }
    }
    // the shadow variant was scored and logged for the same request, but not served
    try (Connection c = node.database().dataSource().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT variant FROM ranking_events WHERE user_id = 'joiner' AND NOT served")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("shadow");
    }
    assertThat(ranking.body().path("variant").asText()).isNotEqualTo("shadow");
  }

  private static int rankingRows(String user) {
    try (Connection c = node.database().dataSource().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM ranking_events WHERE user_id = '" + user + "'")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
