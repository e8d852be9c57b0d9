package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.freshet.actors.features.FeatureSummary;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.PushedVector;
import dev.freshet.actors.ranking.Feature;
import dev.freshet.actors.ranking.RankedItem;
import dev.freshet.actors.ranking.RankingRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;

/** {@link UserEntity.PushFeatures}: an outside model's user vector, journaled and ranked with. */
class PushFeaturesTest extends AxisCatalogEntityTesting {

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          UserEntity.Command,
          UserEntity.Event,
          UserEntity.State,
          StatusReply<UserEntity.PushResult>>
      push(float[] vector, String source) {
    return kit.runCommand(r -> new UserEntity.PushFeatures(vector, source, 5_000L, r));
  }

  /** Each item's contribution of vector similarity to its score, by item id. */
  private Map<String, Double> vectorSimilarity() {
    var ranking =
        kit.<StatusReply<UserEntity.RankingResult>>runCommand(
                r ->
                    new UserEntity.Recommend(
                        new RankingRequest(30, Optional.empty(), Set.of(), true), r))
            .reply()
            .getValue();
    return ranking.served().items().stream()
        .collect(
            Collectors.toMap(
                RankedItem::id,
                i -> i.explain().getOrDefault(Feature.VECTOR_SIMILARITY.key(), 0.0)));
  }

  @Test
  void aPushedVectorIsJournaledShownInTheStateAndRanksByIt() {
    assertThat(vectorSimilarity().values()).allMatch(v -> v == 0.0); // nothing to compare with

    var result = push(axis(1, 3f), "als-v3");

    assertThat(result.reply().getValue()).isEqualTo(new UserEntity.PushResult(true));
    var event = (UserEntity.FeaturesPushed) result.event();
    assertThat(event.pushed().vector()).isEqualTo(axis(1, 3f));
    assertThat(event.pushed().source()).isEqualTo("als-v3");
    FeatureSummary.Pushed shown =
        kit.runCommand(UserEntity.GetState::new).reply().getValue().features().pushed();
    assertThat(shown).isEqualTo(new FeatureSummary.Pushed("als-v3", "1970-01-01T00:00:05Z", DIM));

    Map<String, Double> similarity = vectorSimilarity();
    assertThat(similarity.get("item-12")).isPositive();
    assertThat(similarity.get("item-3")).isZero(); // orthogonal
    assertThat(similarity.get("item-25")).isNegative(); // opposite
    assertThat(similarity.get("item-12")).isEqualTo(-similarity.get("item-25"), within(1e-9));

    kit.restart(); // the event replays
    assertThat(kit.getState().features().pushed().vector()).isEqualTo(axis(1, 3f));
    assertThat(vectorSimilarity()).isEqualTo(similarity);

    var replaced = push(axis(0, 1f), null);
    assertThat(replaced.reply().getValue().stored()).isTrue();
    assertThat(kit.getState().features().pushed().source()).isNull();
    assertThat(vectorSimilarity().get("item-3")).isEqualTo(similarity.get("item-12"));
  }

  @Test
  void thePushedVectorAndTheUsersOwnEngagementsCountEqually() {
    kit.<StatusReply<UserEntity.EventsResult>>runCommand(
        r ->
            new UserEntity.RecordEvents(
                List.of(new Interaction(3, InteractionType.LIKE, 1_000L, null, null, null, null)),
                r));
    Map<String, Double> own = vectorSimilarity();
    assertThat(own.get("item-4")).isPositive();
    assertThat(own.get("item-12")).isZero();

    push(axis(1, 0.5f), "outside");

    Map<String, Double> both = vectorSimilarity();
    assertThat(both.get("item-4")).isPositive().isEqualTo(both.get("item-12"), within(1e-6));
    assertThat(both.get("item-4")).isLessThan(own.get("item-4"));
  }

  @Test
  void anInvalidVectorOrSourceIsRefusedNamingTheFieldAndChangesNothing() {
    float[] nan = axis(0, 1f);
    nan[5] = Float.NaN;
    float[] inf = axis(0, 1f);
    inf[15] = Float.NEGATIVE_INFINITY;
    Map<String, String> refusals =
        Map.of(
            "vector must have 16 dimensions, not 3", "short",
            "vector[5] must be a finite number", "nan",
            "vector[15] must be a finite number", "inf",
            "vector must not be all zeros", "zero",
            "vector is missing", "null",
            "source must be 1 to 128 characters", "long source",
            "source must not hold control characters or unpaired surrogates", "control");
    for (var expected : refusals.entrySet()) {
      var result =
          switch (expected.getValue()) {
            case "short" -> push(new float[] {1f, 2f, 3f}, null);
            case "nan" -> push(nan, null);
            case "inf" -> push(inf, null);
            case "zero" -> push(new float[DIM], null);
            case "null" -> push(null, null);
            case "long source" -> push(axis(0, 1f), "m".repeat(129));
            default -> push(axis(0, 1f), "model\u0000");
          };
      assertThat(result.hasNoEvents()).as(expected.getValue()).isTrue();
      assertThat(result.reply().isError()).as(expected.getValue()).isTrue();
      assertThat(result.reply().getError().getMessage()).isEqualTo(expected.getKey());
    }
    assertThat(kit.getState().features().pushed()).isNull();
    assertThat(PushedVector.refusal(axis(0, 1f), "émoji \uD83D\uDE00", DIM)).isNull();
  }

  @Test
  void withoutConsentNothingIsStoredAndWithdrawingDropsThePushedVector() {
    push(axis(1, 1f), "als");
    kit.<StatusReply<UserEntity.ConsentView>>runCommand(
        r -> new UserEntity.SetConsent(false, 6_000L, r));
    assertThat(kit.getState().features().pushed()).isNull();

    var refused = push(axis(1, 1f), "als");
    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(refused.reply().getValue()).isEqualTo(new UserEntity.PushResult(false));
    var invalid = push(new float[] {1f}, "als");
    assertThat(invalid.reply().isError()).isTrue(); // invalid is invalid either way
    assertThat(vectorSimilarity().values()).allMatch(v -> v == 0.0);

    kit.restart();
    assertThat(kit.getState().features().pushed()).isNull();
  }
}
