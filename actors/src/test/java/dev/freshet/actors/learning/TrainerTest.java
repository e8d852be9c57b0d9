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
    assertThat(v.algorithm()).isEqualTo(Trainer.ALS);
    assertThat(v.note()).startsWith("promoted: als; no model serving");
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
            new int[0],
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
            new int[0],
            true,
            "");
    Trainer.Outcome better =
        Trainer.train(rows(3), 100, settings(GOOD), Optional.of(badServing), NOW).orElseThrow();
    assertThat(better.promote()).as(better.reason()).isTrue();
    assertThat(better.reason()).contains("serving version 8");
  }

  @Test
  void easeTrainsBesideAlsAndTheBetterOnTheHoldoutIsTheCandidate() {
    // ALS crushed by its regularisation: EASE must win, and be stored as a node will serve it
    AlsSettings bad = new AlsSettings(8, 1, 10_000, 0.1, 9, 1);
    Trainer.Settings both =
        new Trainer.Settings(
            bad,
            Optional.of(new EaseSettings(10, 60)),
            FeatureSettings.fromConfig(ConfigFactory.load()).signals(),
            10,
            2);
    Trainer.Outcome outcome =
        Trainer.train(rows(1), 100, both, Optional.empty(), NOW).orElseThrow();
    ModelVersions.Version v = outcome.version();
    assertThat(v.algorithm()).as(v.note()).isEqualTo(Trainer.EASE);
    assertThat(v.note()).contains("als: NDCG@10").contains("ease");
    assertThat(v.params()).isEqualTo("lambda=10.0 max-items=60");
    assertThat(v.itemIds()).hasSize(60).doesNotHaveDuplicates();
    assertThat(v.factors()).isEqualTo(60);
    assertThat(v.itemFactors()).hasSize(60 * 60);
    assertThat(outcome.promote()).isTrue();
    assertThat(v.evaluation().ndcg()).isGreaterThan(v.evaluation().popularityNdcg());

    // served: a user of group 0 scores the group's modelled items above every other group's
    CfModel served = CfModel.of(withNumber(v, 5));
    int[] mine = {0, 1, 2, 3, 4, 5, 6, 7};
    float[] weights = {1, 1, 1, 1, 1, 1, 1, 1};
    float[] user = served.foldIn(mine, weights);
    double worstOfGroup = Double.MAX_VALUE, bestOfOthers = -Double.MAX_VALUE;
    for (int id : v.itemIds()) {
      double score = served.score(user, id);
      if (id < 25 && id > 7) worstOfGroup = Math.min(worstOfGroup, score);
      if (id >= 25) bestOfOthers = Math.max(bestOfOthers, score);
    }
    assertThat(worstOfGroup).isGreaterThan(bestOfOthers);

    // and the next run compares its candidate with this EASE version on the same holdout
    Trainer.Outcome next =
        Trainer.train(rows(2), 100, both, Optional.of(withNumber(v, 5)), NOW).orElseThrow();
    assertThat(next.reason()).contains("serving version 5");
  }

  private static ModelVersions.Version withNumber(ModelVersions.Version v, long number) {
    return new ModelVersions.Version(
        number,
        v.trainedAt(),
        v.algorithm(),
        v.params(),
        v.evaluation(),
        v.users(),
        v.items(),
        v.factors(),
        v.itemFactors(),
        v.itemIds(),
        true,
        v.note());
  }

  @Test
  void withoutHistoryToHoldOutNothingIsTrained() {
    List<TimeHoldout.Row> one =
        List.of(new TimeHoldout.Row("u", 3, InteractionType.CLICK, null, null, 1));
    assertThat(Trainer.train(one, 10, settings(GOOD), Optional.empty(), NOW)).isEmpty();
    assertThat(Trainer.train(List.of(), 10, settings(GOOD), Optional.empty(), NOW)).isEmpty();
  }
}
