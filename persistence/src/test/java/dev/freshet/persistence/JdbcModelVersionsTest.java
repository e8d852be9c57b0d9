package dev.freshet.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.actors.learning.ModelVersions;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Model versions in a real PostgreSQL: recorded, listed, one promoted, factors intact. */
class JdbcModelVersionsTest {

  private static EmbeddedDatabase embedded;
  private static Database database;
  private static JdbcModelVersions store;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 4)));
    store = new JdbcModelVersions(database.dataSource());
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  private static ModelVersions.Version version(String algorithm, double ndcg, float[] factors) {
    return new ModelVersions.Version(
        0,
        Instant.parse("2026-12-02T10:00:00Z"),
        algorithm,
        "factors=2",
        new ModelVersions.Evaluation(ndcg, ndcg / 2, 0.1, 600, 10),
        610,
        factors.length / 2,
        2,
        factors,
        new int[0],
        false,
        "");
  }

  @Test
  void versionsAreNumberedListedAndOneIsServed() {
    float[] factors = {1.5f, -2f, 0f, Float.MIN_VALUE, 3.25f, 1e-30f};
    long first = store.record(version("als", 0.3, factors));
    long second = store.record(version("ease", 0.35, new float[0]));
    assertThat(second).isGreaterThan(first);
    assertThat(store.serving()).isEmpty();

    store.promote(first);
    ModelVersions.Version serving = store.serving().orElseThrow();
    assertThat(serving.version()).isEqualTo(first);
    assertThat(serving.itemFactors()).containsExactly(factors);
    assertThat(serving.items()).isEqualTo(3);
    assertThat(serving.evaluation().ndcg()).isEqualTo(0.3);
    assertThat(serving.promoted()).isTrue();

    store.promote(second);
    assertThat(store.serving().orElseThrow().version()).isEqualTo(second);
    assertThat(store.latest(10))
        .extracting(ModelVersions.Version::version)
        .startsWith(second, first);
    assertThat(store.latest(10)).filteredOn(ModelVersions.Version::promoted).hasSize(1);
    assertThat(store.latest(1)).hasSize(1);
  }

  @Test
  void aModelOverSomeItemsKeepsWhichItemEachRowIs() {
    // EASE over items 7 and 2 of 9: two rows of two weights
    float[] weights = {0f, 0.5f, -0.25f, 0f};
    ModelVersions.Version ease =
        new ModelVersions.Version(
            0,
            Instant.parse("2026-12-02T11:00:00Z"),
            "ease",
            "lambda=250.0 max-items=2",
            new ModelVersions.Evaluation(0.4, 0.2, 0.1, 600, 10),
            610,
            9,
            2,
            weights,
            new int[] {7, 2},
            false,
            "");
    long number = store.record(ease);
    ModelVersions.Version read = store.find(number).orElseThrow();
    assertThat(read.itemIds()).containsExactly(7, 2);
    assertThat(read.itemFactors()).containsExactly(weights);
    assertThat(read.items()).isEqualTo(9);
    // an ALS version's rows are its items: no ids stored, none read
    long als = store.record(version("als", 0.3, new float[] {1, 2}));
    assertThat(store.find(als).orElseThrow().itemIds()).isEmpty();
    // rows and weights that disagree are refused before anything is stored
    ModelVersions.Version short_ =
        new ModelVersions.Version(
            0,
            ease.trainedAt(),
            "ease",
            ease.params(),
            ease.evaluation(),
            610,
            9,
            2,
            new float[3],
            new int[] {7, 2},
            false,
            "");
    assertThatThrownBy(() -> store.record(short_)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void promotingAnUnknownVersionChangesNothing() {
    long known = store.record(version("als", 0.2, new float[] {1, 2}));
    store.promote(known);
    assertThatThrownBy(() -> store.promote(987_654_321L)).hasMessageContaining("987654321");
    assertThat(store.serving().orElseThrow().version()).isEqualTo(known);
  }

  @Test
  void factorsThatDoNotMatchTheSizesAreRefused() {
    assertThatThrownBy(
            () ->
                store.record(
                    new ModelVersions.Version(
                        0,
                        Instant.now(),
                        "als",
                        "",
                        new ModelVersions.Evaluation(0, 0, 0, 0, 10),
                        1,
                        3,
                        2,
                        new float[5],
                        new int[0],
                        false,
                        "")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
