package dev.freshet.http.api;

import static dev.freshet.http.api.ParserTests.refused;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.ranking.RankingSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecommendationQueryTest {

  private static final RankingSettings RANKING = RankingSettings.fromConfig(ConfigFactory.load());

  @Test
  void readsTheQueryWithDefaults() {
    RankingRequest request =
        RecommendationQuery.parse(
            Map.of("k", "5", "category", "news", "exclude", "a,b,a", "explain", ""), RANKING);

    assertThat(request.k()).isEqualTo(5);
    assertThat(request.category()).hasValue("news");
    assertThat(request.exclude()).containsExactlyInAnyOrder("a", "b");
    assertThat(request.explain()).isTrue();
    assertThat(RecommendationQuery.parse(Map.of(), RANKING).k())
        .isEqualTo(RecommendationQuery.DEFAULT_K);
  }

  @Test
  void everyBadParameterIsNamed() {
    refused(() -> RecommendationQuery.parse(Map.of("k", "0"), RANKING), "k");
    refused(() -> RecommendationQuery.parse(Map.of("k", "201"), RANKING), "k");
    refused(() -> RecommendationQuery.parse(Map.of("k", "1e3"), RANKING), "k");
    refused(() -> RecommendationQuery.parse(Map.of("explain", "maybe"), RANKING), "explain");
    refused(() -> RecommendationQuery.parse(Map.of("exclude", "a,b c"), RANKING), "exclude[1]");
    refused(
        () -> RecommendationQuery.parse(Map.of("exclude", "a,".repeat(1_000) + "b"), RANKING),
        "exclude");
    refused(() -> RecommendationQuery.parse(Map.of("variant", "nope"), RANKING), "variant");
    refused(() -> RecommendationQuery.parse(Map.of("category", "a\u0007"), RANKING), "category");
  }
}
