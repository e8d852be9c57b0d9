package dev.freshet.actors.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CfModelTest {

  private static final AlsSettings SETTINGS = new AlsSettings(2, 5, 0.1, 2.0, 42, 1);

  /** Four items in two factors: 0 and 1 along the first axis, 2 along the second, 3 against it. */
  private static final float[] ITEMS = {1, 0, 0.8f, 0.1f, 0, 1, 0, -1};

  private static CfModel model() {
    return new CfModel(7, AlsModel.ofItemFactors(SETTINGS, ITEMS));
  }

  @Test
  void foldingInLeavesOutItemsTheModelHasNoFactorsFor() {
    CfModel model = model();
    float[] known = model.foldIn(new int[] {0, 1}, new float[] {1, 1});
    // items 9 and -1 came after the training (or are not items at all): the same vector
    float[] withUnknown = model.foldIn(new int[] {0, 9, 1, -1}, new float[] {1, 5, 1, 5});
    assertThat(withUnknown).containsExactly(known);
    assertThat(model.foldIn(new int[] {9}, new float[] {1})).isNull();
    // the user likes the first axis: item 1 scores above item 2, an unknown item 0
    assertThat(model.score(known, 1)).isGreaterThan(model.score(known, 2));
    assertThat(model.score(known, 9)).isZero();
  }

  @Test
  void anEaseModelScoresWhatTheUserTookToThroughItsWeights() {
    // items 4 and 1 of 6 modelled: liking 4 says +0.5 for 1; liking 1 says -0.25 for 4
    EaseModel weights = EaseModel.ofWeights(6, new int[] {4, 1}, new float[] {0, 0.5f, -0.25f, 0});
    CfModel model = new CfModel(9, weights);
    float[] user = model.foldIn(new int[] {4, 3}, new float[] {2, 1});
    assertThat(model.score(user, 1)).isEqualTo(1.0); // 2 x 0.5
    assertThat(model.score(user, 4)).isZero(); // its own row's diagonal
    assertThat(model.score(user, 3)).isZero(); // not modelled
    assertThat(model.top(user, 5, id -> true)).containsExactly(1, 4);
    // the only item it knows predicts nothing for itself: the scale is the most it predicts
    assertThat(model.scale(user, new int[] {4, 3}, new float[] {2, 1})).isEqualTo(1.0);
    float[] both = model.foldIn(new int[] {4, 1}, new float[] {2, 1});
    assertThat(model.scale(both, new int[] {4, 1}, new float[] {2, 1})).isEqualTo(1.0);
    // nothing the model knows that the user took to: no vector, as for ALS
    assertThat(model.foldIn(new int[] {3, 4}, new float[] {1, -1})).isNull();
    assertThatThrownBy(() -> EaseModel.ofWeights(6, new int[] {4, 4}, new float[4]))
        .hasMessageContaining("two rows");
    assertThatThrownBy(() -> EaseModel.ofWeights(6, new int[] {4, 9}, new float[4]))
        .hasMessageContaining("outside");
    assertThatThrownBy(() -> EaseModel.ofWeights(6, new int[] {4, 1}, new float[3]))
        .hasMessageContaining("4 weights");
  }

  @Test
  void topIsTheHighestDotProductsAmongAcceptedItemsBestFirst() {
    CfModel model = model();
    float[] user = {1, 0.5f};
    // dots: 1.0, 0.85, 0.5, -0.5
    assertThat(model.top(user, 3, id -> true)).containsExactly(0, 1, 2);
    assertThat(model.top(user, 2, id -> id != 0)).containsExactly(1, 2);
    assertThat(model.top(user, 10, id -> true)).containsExactly(0, 1, 2, 3);
    assertThat(model.top(null, 3, id -> true)).isEmpty();
    assertThat(model.top(user, 0, id -> true)).isEmpty();
  }

  @Test
  void aStoredVersionServesWithTheSettingsItWasTrainedWith() {
    ModelVersions.Version stored =
        new ModelVersions.Version(
            3,
            Instant.EPOCH,
            "als",
            SETTINGS.describe(),
            new ModelVersions.Evaluation(0.3, 0.4, 0.2, 10, 10),
            5,
            4,
            2,
            ITEMS,
            new int[0],
            true,
            "");
    CfModel model = CfModel.of(stored);
    assertThat(model.version()).isEqualTo(3);
    assertThat(model.items()).isEqualTo(4);
    assertThat(model.foldIn(new int[] {2}, new float[] {1}))
        .containsExactly(model().foldIn(new int[] {2}, new float[] {1}));
    ModelVersions.Version garbled =
        new ModelVersions.Version(
            4,
            Instant.EPOCH,
            "als",
            "not settings",
            stored.evaluation(),
            5,
            4,
            2,
            ITEMS,
            new int[0],
            false,
            "");
    assertThatThrownBy(() -> CfModel.of(garbled)).hasMessageContaining("version 4");
    // loaded for scoring only (the trainer's comparison): the same scores, no candidate index
    CfModel scoring = CfModel.forScoring(stored);
    float[] user = scoring.foldIn(new int[] {2}, new float[] {1});
    assertThat(user).containsExactly(model.foldIn(new int[] {2}, new float[] {1}));
    assertThat(scoring.score(user, 3)).isEqualTo(model.score(user, 3));
    assertThatThrownBy(() -> scoring.top(user, 2, id -> true))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aVariantPinningAVersionNotLoadedGetsNoModelRatherThanAnother() {
    ServingModels models = new ServingModels();
    assertThat(models.forVersion(java.util.Optional.empty())).isEmpty();
    models.promote(model());
    assertThat(models.forVersion(java.util.Optional.empty()).orElseThrow().version()).isEqualTo(7);
    assertThat(models.forVersion(java.util.Optional.of(3L))).isEmpty();
    models.pin(new CfModel(3, AlsModel.ofItemFactors(SETTINGS, ITEMS)));
    assertThat(models.forVersion(java.util.Optional.of(3L)).orElseThrow().version()).isEqualTo(3);
    assertThat(models.promotedVersion()).isEqualTo(7);
  }
}
