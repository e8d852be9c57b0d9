package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Idle user entities leave memory and come back with their full state on the next request. */
class PassivationTest {

  @Test
  void idleEntitiesPassivateAndRecoverOnDemand() throws Exception {
    try (EmbeddedDatabase db = TestNodes.database()) {
      FreshetNode node =
          FreshetNode.start(
              TestNodes.config(
                  Map.of(
                      "freshet.db.url",
                      db.jdbcUrl(),
                      "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout",
                      "1s")),
              Optional.empty());
      try {
        Api api = new Api(node);
        api.post("/v1/items", Api.items("p", 30, 2, "active"));
        assertThat(
                api.post("/v1/impressions", Api.impressions("sleepy", Api.ids("p", 0, 12)))
                    .status())
            .isEqualTo(202);
        assertThat(Shards.residentUsers(node)).contains("sleepy");

        Shards.awaitTrue(
            "entity passivated",
            Duration.ofSeconds(10),
            () -> !Shards.residentUsers(node).contains("sleepy"));

        Api.Response state = api.get("/v1/users/sleepy/state");
        assertThat(state.body().path("seen").asInt()).isEqualTo(12);
        assertThat(Shards.residentUsers(node)).contains("sleepy");
        Api.Response again =
            api.post("/v1/impressions", Api.impressions("sleepy", List.of("p3", "p20")));
        assertThat(again.body().path("recorded").asInt()).isEqualTo(1);
      } finally {
        node.stop();
      }
    }
  }

  /**
   * Users the node never heard of (a ranking or a state read for a visitor) are answered and leave
   * memory at once, long before the idle timeout; a user with anything journaled stays.
   */
  @Test
  void pristineUsersLeaveMemoryRightAfterTheirAnswer() throws Exception {
    try (EmbeddedDatabase db = TestNodes.database()) {
      FreshetNode node =
          FreshetNode.start(
              TestNodes.config(Map.of("freshet.db.url", db.jdbcUrl())), Optional.empty());
      try {
        Api api = new Api(node);
        api.post("/v1/items", Api.items("q", 30, 2, "active"));
        assertThat(
                api.post("/v1/impressions", Api.impressions("known", Api.ids("q", 0, 3))).status())
            .isEqualTo(202);
        for (int i = 0; i < 20; i++) {
          Api.Response ranking = api.get("/v1/users/visitor-" + i + "/recommendations?k=5");
          assertThat(ranking.body().path("items").size()).isEqualTo(5);
          assertThat(api.get("/v1/users/reader-" + i + "/state").body().path("seen").asInt())
              .isZero();
          assertThat(api.get("/v1/users/reader-" + i + "/favorites").status()).isEqualTo(200);
        }
        assertThat(api.get("/v1/users/known/recommendations?k=5").status()).isEqualTo(200);
        Shards.awaitTrue(
            "pristine entities passivated",
            Duration.ofSeconds(5),
            () ->
                Shards.residentUsers(node).stream()
                    .noneMatch(u -> u.startsWith("visitor-") || u.startsWith("reader-")));
        assertThat(Shards.residentUsers(node)).contains("known");
        // a visitor who comes back is ranked again, and one who acts is kept
        assertThat(api.get("/v1/users/visitor-3/recommendations?k=5").body().path("items").size())
            .isEqualTo(5);
        assertThat(
                api.post("/v1/impressions", Api.impressions("visitor-3", Api.ids("q", 0, 2)))
                    .status())
            .isEqualTo(202);
        assertThat(api.get("/v1/users/visitor-3/state").body().path("seen").asInt()).isEqualTo(2);
        assertThat(Shards.residentUsers(node)).contains("visitor-3");
      } finally {
        node.stop();
      }
    }
  }
}
