package dev.freshet.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QdrantSettingsTest {

  private static QdrantSettings parse(String hocon, Map<String, String> env) {
    return QdrantSettings.fromConfig(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve(),
        env);
  }

  @Test
  void theReferenceConfigurationLeavesQdrantOffWithTheDocumentedDefaults() {
    // an explicit empty url, as the reference has it without FRESHET_QDRANT_URL
    QdrantSettings s = parse("freshet.vectors.qdrant.url = \"\"", Map.of());
    assertThat(s.enabled()).isFalse();
    assertThat(s.collection()).isEqualTo("freshet-items");
    assertThat(s.dimension()).isZero();
    assertThat(s.distance()).isEqualTo("cosine");
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.upsertBatchSize()).isEqualTo(256);
    assertThat(s.maxExcludedIds()).isEqualTo(10_000);
    assertThat(s.retryBackoffMin()).isLessThan(s.retryBackoffMax());
  }

  @Test
  void theUrlChoosesHostPortAndTransport() {
    assertThat(parse("freshet.vectors.qdrant.url = \"http://qdrant:7000\"", Map.of()).endpoint())
        .isEqualTo(new QdrantSettings.Endpoint("qdrant", 7000, false));
    assertThat(parse("freshet.vectors.qdrant.url = \"https://q.example.com\"", Map.of()).endpoint())
        .isEqualTo(new QdrantSettings.Endpoint("q.example.com", 6334, true));
  }

  @Test
  void theApiKeyComesFromTheEnvironmentOnlyAndIsNeverPrinted() {
    QdrantSettings s =
        parse(
            "freshet.vectors.qdrant.url = \"https://q:6334\"",
            Map.of(QdrantSettings.API_KEY_ENV, "s3cret-key"));
    assertThat(s.apiKey()).contains("s3cret-key");
    assertThat(s.toString()).doesNotContain("s3cret-key").contains("apiKey=(set)");
    assertThat(parse("", Map.of(QdrantSettings.API_KEY_ENV, "  ")).apiKey()).isEmpty();

    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.api-key = \"in-a-file\"", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FRESHET_QDRANT_API_KEY")
        .hasMessageNotContaining("in-a-file");
  }

  @Test
  void invalidSettingsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.url = \"qdrant:6334\"", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.url")
        .hasMessageContaining("http://host:6334");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.url = \"http://:6334\"", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.url");
    assertThatThrownBy(
            () -> parse("freshet.vectors.qdrant.url = \"http://user:pw@q:6334\"", Map.of()))
        .hasMessageContaining("FRESHET_QDRANT_API_KEY")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.distance = dot", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.distance is dot");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.collection = \"a b\"", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.collection");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.dimension = -1", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.dimension");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.upsert-batch-size = 0", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.upsert-batch-size");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.request-timeout = 0s", Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.request-timeout");
    assertThatThrownBy(
            () ->
                parse(
                    "freshet.vectors.qdrant { retry-backoff-min = 2s, retry-backoff-max = 1s }",
                    Map.of()))
        .hasMessageContaining("freshet.vectors.qdrant.retry-backoff-max");
    assertThatThrownBy(() -> parse("freshet.vectors.qdrant.url = \"\"", Map.of()).endpoint())
        .hasMessageContaining("freshet.vectors.qdrant.url is not set");
  }
}
