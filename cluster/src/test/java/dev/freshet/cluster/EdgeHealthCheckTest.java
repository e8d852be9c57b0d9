package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class EdgeHealthCheckTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.empty());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aNodeIsNotReadyUntilItsListenersAreBound() {
    EdgeHealthCheck check = new EdgeHealthCheck(Adapter.toClassic(testKit.system()));
    assertThat(check.get().toCompletableFuture().join()).isFalse();
    EdgeHealthCheck.Listening.get(testKit.system()).bound();
    assertThat(check.get().toCompletableFuture().join()).isTrue();
  }

  @Test
  void theCheckIsOneOfManagementsReadinessChecks() {
    assertThat(
            ConfigFactory.load().getString("pekko.management.health-checks.readiness-checks.edge"))
        .isEqualTo(EdgeHealthCheck.class.getName());
  }
}
