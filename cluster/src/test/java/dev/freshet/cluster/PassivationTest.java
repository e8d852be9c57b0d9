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
}
