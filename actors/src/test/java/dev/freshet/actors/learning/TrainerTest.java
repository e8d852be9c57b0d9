package dev.freshet.actors.learning;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.InteractionType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A training's verdict: promoted when it beats what serves, recorded either way. */
class TrainerTest {

  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

  private static Trainer.Settings settings(AlsSettings als) {
    return new Trainer.Settings(
        als, FeatureSettings.fromConfig(ConfigFactory.load()).signals(), 10, 2);
  }

  /** Four taste groups of 25 items, 12 clicks per user over time. */
  private static List<TimeHoldout.Row> rows(long seed) {
    List<TimeHoldout.Row> rows = new ArrayList<>();
    Random random = new Random(seed);
    for (int u = 0; u < 200; u++) {
      long t = 0;
      for (int n = 0; n < 12; n++)
        rows.add(
            new TimeHoldout.Row(
                "u" + u,
                (u % 4) * 25 + random.nextInt(25),
                InteractionType.CLICK,
                null,
                null,
                t += 1 + random.nextInt(100)));
    }
    return rows;
  }

  private static final AlsSettings GOOD = new AlsSettings(8, 10, 1, 5, 1, 1);

  @Test
  void theFirstModelServesWhenItBeatsPopularity() {
    Trainer.Outcome outcome =
        Trainer.train(rows(1), 100, settings(GOOD), Optional.empty(), NOW).orElseThrow();
    assertThat(outcome.promote()).isTrue();
    ModelVersions.Version v = outcome.version();
    assertThat(v.evaluation().ndcg()).isGreaterThan(v.evaluation().popularityNdcg());
    assertThat(v.evaluation().users()).isEqualTo(200);
    assertThat(v.itemFactors()).hasSize(100 * 8);
    assertThat(v.note()).startsWith("promoted: no comparable model serving");
    assertThat(v.trainedAt()).isEqualTo(NOW);
  }

  @Test
  void aCandidateWorseThanTheServingModelIsNotPromoted() {
    ModelVersions.Version good =
        Trainer.train(rows(1), 100, settings(GOOD), Optional.empty(), NOW).orElseThrow().version();
    ModelVersions.Version serving =
        new ModelVersions.Version(
            7,
            good.trainedAt(),
            "als",
            good.params(),
            good.evaluation(),
            good.users(),
            good.items(),
            good.factors(),
            good.itemFactors(),
            true,
            good.note());
    // one iteration from random factors with a crushing regularisation: far worse
    AlsSettings bad = new AlsSettings(8, 1, 10_000, 0.1, 9, 1);
    Trainer.Outcome worse =
        Trainer.train(rows(2), 100, settings(bad), Optional.of(serving), NOW).orElseThrow();
    assertThat(worse.promote()).isFalse();
    assertThat(worse.version().note()).startsWith("not promoted:").contains("serving version 7");
    // and the other way round: a good candidate replaces a bad model serving
    ModelVersions.Version badVersion = worse.version();
    ModelVersions.Version badServing =
        new ModelVersions.Version(
            8,
            NOW,
            "als",
            badVersion.params(),
            badVersion.evaluation(),
            badVersion.users(),
            badVersion.items(),
            badVersion.factors(),
            badVersion.itemFactors(),
            true,
            "");
    Trainer.Outcome better =
        Trainer.train(rows(3), 100, settings(GOOD), Optional.of(badServing), NOW).orElseThrow();
    assertThat(better.promote()).as(better.reason()).isTrue();
    assertThat(better.reason()).contains("serving version 8");
  }

  @Test
  void withoutHistoryToHoldOutNothingIsTrained() {
    List<TimeHoldout.Row> one =
        List.of(new TimeHoldout.Row("u", 3, InteractionType.CLICK, null, null, 1));
    assertThat(Trainer.train(one, 10, settings(GOOD), Optional.empty(), NOW)).isEmpty();
    assertThat(Trainer.train(List.of(), 10, settings(GOOD), Optional.empty(), NOW)).isEmpty();
  }
}
