package dev.freshet.actors.learning;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.Intent;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.SignalWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a model trains on and what it must predict, by event time. */
class TimeHoldoutTest {

  private final SignalWeights weights = FeatureSettings.fromConfig(ConfigFactory.load()).signals();

  private static TimeHoldout.Row row(
      String user, int item, InteractionType type, String intent, long at) {
    return new TimeHoldout.Row(user, item, type, intent, null, at);
  }

  @Test
  void theLatestPositiveItemIsHeldOutAndIntentsWeighAsAffinityDoes() {
    List<TimeHoldout.Row> rows =
        List.of(
            row("ann", 1, InteractionType.CLICK, null, 10),
            row("ann", 2, InteractionType.LIKE, null, 30),
            row("ann", 3, InteractionType.SKIP, Intent.NOT_INTERESTED, 40),
            row("ann", 4, InteractionType.SKIP, Intent.BAD_TIMING, 50),
            row("ann", 1, InteractionType.LIKE, null, 20),
            row("ann", 5, InteractionType.IMPRESSION, null, 60),
            // bob's interactions arrive out of order: his latest positive is item 7
            row("bob", 7, InteractionType.PURCHASE, null, 90),
            row("bob", 6, InteractionType.CLICK, null, 80),
            // cid has one positive item only: nothing to learn from once it is held out
            row("cid", 6, InteractionType.CLICK, null, 5));
    TimeHoldout.Built built = TimeHoldout.build(rows, weights, 10, 2);
    assertThat(built.users()).containsExactly("ann", "bob", "cid");
    assertThat(built.heldOutUsers()).isEqualTo(2);
    int[][] held = built.split().heldOut();
    assertThat(held[0]).containsExactly(2);
    assertThat(held[1]).containsExactly(7);
    assertThat(held[2]).isEmpty();
    Interactions train = built.split().train();
    // ann trains on item 1 (click + like) and item 3 (not interested: negative); the bad-timing
    // skip and the impression weigh nothing
    assertThat(train.itemsOf(0)).containsExactly(1, 3);
    float[] w = train.weightsOf(0);
    assertThat((double) w[0])
        .isCloseTo(
            weights.affinityDelta(InteractionType.CLICK, null, null)
                + weights.affinityDelta(InteractionType.LIKE, null, null),
            org.assertj.core.data.Offset.offset(1e-6));
    assertThat(w[1]).isNegative();
    assertThat(train.itemsOf(1)).containsExactly(6);
    assertThat(train.itemsOf(2)).containsExactly(6);
  }

  /** Held-out items are predicted by a model trained on the rest: hit-rate@k is Recall@k here. */
  @Test
  void aModelTrainedOnThePastPredictsTheLatestBetterThanPopularity() {
    List<TimeHoldout.Row> rows = new java.util.ArrayList<>();
    java.util.Random random = new java.util.Random(3);
    for (int u = 0; u < 200; u++) {
      int group = u % 4;
      long t = 0;
      for (int n = 0; n < 12; n++) {
        int item = group * 25 + random.nextInt(25);
        rows.add(row("u" + u, item, InteractionType.CLICK, null, t += 1 + random.nextInt(100)));
      }
    }
    TimeHoldout.Built built = TimeHoldout.build(rows, weights, 100, 2);
    AlsModel model = ImplicitAls.train(built.split().train(), new AlsSettings(8, 10, 1, 5, 1, 1));
    StaticSplit.Result trained = StaticSplit.evaluate(built.split(), StaticSplit.of(model), 10);
    StaticSplit.Result popular =
        StaticSplit.evaluate(built.split(), StaticSplit.popularity(built.split().train()), 10);
    assertThat(trained.users()).isEqualTo(200);
    assertThat(trained.recall()).isGreaterThan(2 * popular.recall());
  }
}
