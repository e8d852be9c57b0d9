package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.cluster.ClusterFormation.ContactPoint;
import dev.freshet.cluster.ClusterFormation.Mode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterFormationTest {

  private static ClusterFormation formation(Map<String, Object> cluster) {
    Config config =
        ConfigFactory.parseMap(
                cluster.entrySet().stream()
                    .collect(
                        java.util.stream.Collectors.toMap(
                            e -> "freshet.cluster." + e.getKey(), Map.Entry::getValue)))
            .withFallback(ConfigFactory.load());
    return ClusterFormation.fromConfig(config);
  }

  @Test
  void aNodeWithoutSeedNodesOrDiscoveryFormsItsOwnCluster() {
    ClusterFormation f = formation(Map.of());
    assertThat(f.mode()).isEqualTo(Mode.SELF);
    assertThat(f.bootstraps()).isFalse();
    Config pekko = f.pekkoConfig();
    assertThat(pekko.getStringList("pekko.cluster.roles")).containsExactly("serve");
    assertThat(pekko.hasPath("pekko.management.cluster.bootstrap")).isFalse();
  }

  @Test
  void seedNodesBootstrapOverTheirManagementEndpointsAndWaitForAllOfThem() {
    ClusterFormation f =
        formation(Map.of("seed-nodes", " 10.0.0.1:7626, 10.0.0.2:7627 ,10.0.0.1:7626,"));
    assertThat(f.mode()).isEqualTo(Mode.SEED_NODES);
    assertThat(f.seedNodes())
        .containsExactly(new ContactPoint("10.0.0.1", 7626), new ContactPoint("10.0.0.2", 7627));
    Config pekko = f.pekkoConfig().withFallback(ConfigFactory.load());
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertThat(pekko.getString(discovery + "discovery-method")).isEqualTo("config");
    assertThat(pekko.getInt(discovery + "required-contact-point-nr")).isEqualTo(2);
    assertThat(pekko.getBoolean(discovery + "contact-with-all-contact-points")).isTrue();
    assertThat(
            pekko.getBoolean(
                "pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port"))
        .isFalse();
    List<? extends Config> endpoints =
        pekko.getConfigList("pekko.discovery.config.services.freshet.endpoints");
    assertThat(endpoints).hasSize(2);
    assertThat(endpoints.get(1).getString("host")).isEqualTo("10.0.0.2");
    assertThat(endpoints.get(1).getInt("port")).isEqualTo(7627);
  }

  @Test
  void kubernetesDiscoveryListsPodsByTheirManagementPortAndIp() {
    ClusterFormation f =
        formation(Map.of("discovery", "kubernetes-api", "required-contact-points", 3));
    assertThat(f.mode()).isEqualTo(Mode.KUBERNETES);
    Config pekko = f.pekkoConfig().withFallback(ConfigFactory.load());
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertThat(pekko.getString(discovery + "discovery-method")).isEqualTo("kubernetes-api");
    assertThat(pekko.getString(discovery + "port-name")).isEqualTo("management");
    assertThat(pekko.getInt(discovery + "required-contact-point-nr")).isEqualTo(3);
    assertThat(pekko.getBoolean("pekko.discovery.kubernetes-api.use-raw-ip")).isTrue();
    assertThat(pekko.getString("pekko.discovery.kubernetes-api.pod-label-selector"))
        .isEqualTo("app=%s");
  }

  @Test
  void rolesMustIncludeServe() {
    assertThat(formation(Map.of("roles", "serve, training")).roles())
        .containsExactly("serve", "training");
    assertThatThrownBy(() -> formation(Map.of("roles", "proxy")))
        .hasMessageContaining("FRESHET_ROLES")
        .hasMessageContaining("serve");
  }

  @Test
  void malformedSettingsAreRefusedNamingTheEnvironmentVariable() {
    for (String bad :
        List.of(
            "pekko://freshet@10.0.0.1:7355",
            "10.0.0.1",
            "10.0.0.1:",
            ":7626",
            "10.0.0.1:http",
            "10.0.0.1:0",
            "10.0.0.1:70000")) {
      assertThatThrownBy(() -> formation(Map.of("seed-nodes", bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("FRESHET_SEED_NODES");
    }
    assertThatThrownBy(() -> formation(Map.of("discovery", "dns")))
        .hasMessageContaining("FRESHET_DISCOVERY");
    assertThatThrownBy(
            () -> formation(Map.of("discovery", "kubernetes-api", "seed-nodes", "10.0.0.1:7626")))
        .hasMessageContaining("exclusive");
    assertThatThrownBy(() -> formation(Map.of("required-contact-points", 0)))
        .hasMessageContaining("FRESHET_REQUIRED_CONTACT_POINTS");
  }

  @Test
  void staticPekkoSeedNodesAreRefusedBecauseAFirstSeedCanFormASecondCluster() {
    Config config =
        ConfigFactory.parseMap(
                Map.of("pekko.cluster.seed-nodes", List.of("pekko://freshet@10.0.0.1:7355")))
            .withFallback(ConfigFactory.load());
    assertThatThrownBy(() -> ClusterFormation.fromConfig(config))
        .hasMessageContaining("FRESHET_SEED_NODES");
  }
}
