package dev.freshet.actors.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FeatureTest {

  @Test
  void everyFeatureIsNamedByItsKeyAndTheDefaultsWeighEachOne() {
    for (Feature feature : Feature.values()) {
      assertThat(Feature.named(feature.key())).isSameAs(feature);
      assertThat(Feature.at(feature.ordinal())).isSameAs(feature);
    }
    assertThat(ConfigFactory.load().getConfig("freshet.ranking.weights").root().keySet())
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Feature.values()).map(Feature::key).toList());
  }

  @Test
  void anUnknownNameIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> Feature.named("recency"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recency")
        .hasMessageContaining("vectorSimilarity");
  }
}
