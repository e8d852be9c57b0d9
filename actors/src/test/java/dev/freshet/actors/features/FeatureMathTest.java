package dev.freshet.actors.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The feature maths as plain functions, no ActorSystem. */
class FeatureMathTest {

  private static final long DAY = 86_400_000L;
  private static final long MINUTE = 60_000L;
  private final FeatureSettings settings = FeatureSettings.fromConfig(ConfigFactory.load());
  private final SignalWeights signals = settings.signals();

  @Test
  void decayHalvesPerHalfLife() {
    assertThat(Decay.factor(0, 7 * DAY, 7 * DAY)).isCloseTo(0.5, offset(1e-12));
    assertThat(Decay.factor(0, 14 * DAY, 7 * DAY)).isCloseTo(0.25, offset(1e-12));
    assertThat(Decay.factor(5 * DAY, 5 * DAY, 7 * DAY)).isEqualTo(1.0);
    assertThat(Decay.factor(5 * DAY, 1 * DAY, 7 * DAY)).isEqualTo(1.0); // never grows backwards
  }

  @Test
  void decayedValuesAccumulateDecayAndStayBounded() {
    DecayedValues values = new DecayedValues();
    values.add("news", 2.0, 0, DAY, 3);
    values.add("news", 1.0, DAY, DAY, 3); // 2 decayed to 1, plus 1

    assertThat(values.get("news", DAY, DAY)).isCloseTo(2.0, offset(1e-12));
    assertThat(values.get("news", 2 * DAY, DAY)).isCloseTo(1.0, offset(1e-12));
    assertThat(values.get("absent", DAY, DAY)).isZero();

    values.add("a", 0.1, DAY, DAY, 3);
    values.add("b", 5.0, DAY, DAY, 3);
    values.add("c", -4.0, DAY, DAY, 3); // a fourth key evicts the weakest by magnitude: "a"
    assertThat(values.size()).isEqualTo(3);
    assertThat(values.snapshot(DAY, DAY).keySet()).containsExactly("b", "c", "news");
  }

  /** Event time: the same events in any order of arrival give the same values. */
  @Test
  void lateEventsCountAsOfWhenTheyHappened() {
    DecayedValues inOrder = new DecayedValues(), late = new DecayedValues();
    inOrder.add("news", 2.0, 0, DAY, 3);
    inOrder.add("news", 1.0, DAY, DAY, 3);
    inOrder.add("news", 4.0, 3 * DAY, DAY, 3);
    late.add("news", 4.0, 3 * DAY, DAY, 3);
    late.add("news", 2.0, 0, DAY, 3);
    late.add("news", 1.0, DAY, DAY, 3);
    assertThat(late.get("news", 3 * DAY, DAY)).isCloseTo(4.0 + 1.0 / 4 + 2.0 / 8, offset(1e-12));
    assertThat(late.get("news", 5 * DAY, DAY))
        .isCloseTo(inOrder.get("news", 5 * DAY, DAY), offset(1e-12));

    UserVector first = new UserVector(), second = new UserVector();
    first.add(new float[] {1, 0}, 1.0, 0, DAY);
    first.add(new float[] {0, 1}, 1.0, 2 * DAY, DAY);
    second.add(new float[] {0, 1}, 1.0, 2 * DAY, DAY);
    second.add(new float[] {1, 0}, 1.0, 0, DAY);
    // the older like weighs a quarter of the newer one either way
    assertThat(second.mean()[0]).isCloseTo(0.25f / 1.25f, offset(1e-6f));
    assertThat(second.mean()).containsExactly(first.mean(), offset(1e-6f));
  }

  @Test
  void situationalIntentsDoNotLowerAffinityButNotInterestedDoes() {
    assertThat(signals.affinityDelta(InteractionType.SKIP, Intent.BAD_TIMING, 0L)).isZero();
    assertThat(signals.affinityDelta(InteractionType.SKIP, Intent.TOO_FAR, 0L)).isZero();
    assertThat(signals.affinityDelta(InteractionType.SKIP, Intent.ALREADY_DONE, 0L)).isZero();
    assertThat(signals.affinityDelta(InteractionType.SKIP, "raining today", 0L)).isZero();
    assertThat(signals.affinityDelta(InteractionType.SKIP, null, 0L)).isEqualTo(-0.25);
    assertThat(signals.affinityDelta(InteractionType.SKIP, Intent.NOT_INTERESTED, 0L))
        .isEqualTo(-1.5);
    assertThat(signals.affinityDelta(InteractionType.DISLIKE, Intent.NOT_INTERESTED, 0L))
        .isEqualTo(-2.0);
    assertThat(signals.affinityDelta(InteractionType.DISLIKE, Intent.BAD_TIMING, 0L)).isZero();
    assertThat(signals.affinityDelta(InteractionType.CLICK, Intent.BAD_TIMING, 0L)).isEqualTo(1.0);
    assertThat(signals.affinityDelta(InteractionType.IMPRESSION, null, 0L)).isZero();
  }

  @Test
  void dwellCountsInProportionUpToAFullMinute() {
    assertThat(signals.affinityDelta(InteractionType.DWELL, null, 30_000L))
        .isCloseTo(0.5, offset(1e-12));
    assertThat(signals.affinityDelta(InteractionType.DWELL, null, 600_000L)).isEqualTo(1.0);
    assertThat(signals.affinityDelta(InteractionType.DWELL, null, -5L)).isZero();
  }

  @Test
  void sessionsBreakOnGapsLongerThanThirtyMinutes() {
    Session session = new Session();
    session.onEvent(0, 1, 30 * MINUTE, 3);
    session.onEvent(10 * MINUTE, 2, 30 * MINUTE, 3);
    session.onEvent(40 * MINUTE, -1, 30 * MINUTE, 3); // 30 minutes after the last: same session
    assertThat(session.events()).isEqualTo(3);
    assertThat(session.startedAt()).isZero();
    assertThat(session.recentItems()).containsExactly(1, 2);

    session.onEvent(71 * MINUTE, 9, 30 * MINUTE, 3); // 31 minutes of silence: a new session
    assertThat(session.events()).isEqualTo(1);
    assertThat(session.startedAt()).isEqualTo(71 * MINUTE);
    assertThat(session.recentItems()).containsExactly(9);
    assertThat(session.activeAt(100 * MINUTE, 30 * MINUTE)).isTrue();
    assertThat(session.activeAt(102 * MINUTE, 30 * MINUTE)).isFalse();
  }

  @Test
  void sessionKeepsTheLastDistinctItemsNewestLast() {
    Session session = new Session();
    for (int item : new int[] {1, 2, 3, 2, 4}) session.onEvent(item * MINUTE, item, 30 * MINUTE, 3);
    assertThat(session.recentItems()).containsExactly(3, 2, 4);
  }

  @Test
  void userVectorIsTheDecayedWeightedMean() {
    UserVector vector = new UserVector();
    assertThat(vector.mean()).isNull();
    vector.add(new float[] {1, 0}, 1.0, 0, DAY);
    vector.add(new float[] {0, 1}, 1.0, DAY, DAY); // the first now weighs 0.5

    assertThat(vector.mean()[0]).isCloseTo(0.5f / 1.5f, offset(1e-6f));
    assertThat(vector.mean()[1]).isCloseTo(1.0f / 1.5f, offset(1e-6f));
    vector.add(new float[] {5, 5}, -1.0, DAY, DAY); // negative actions do not move the vector
    assertThat(vector.mean()[1]).isCloseTo(1.0f / 1.5f, offset(1e-6f));
  }

  @Test
  void featuresFromInteractions() {
    UserFeatures features = new UserFeatures();
    features.apply(
        new Interaction(
            1, InteractionType.CLICK, 0, null, null, null, null, "news", List.of("local")),
        new float[] {1, 0},
        settings);
    features.apply(
        new Interaction(
            2,
            InteractionType.SKIP,
            MINUTE,
            Intent.BAD_TIMING,
            null,
            null,
            null,
            "news",
            List.of("local")),
        null,
        settings);
    features.apply(
        new Interaction(
            3,
            InteractionType.SKIP,
            2 * MINUTE,
            Intent.NOT_INTERESTED,
            null,
            null,
            null,
            "sports",
            List.of()),
        null,
        settings);
    features.apply(
        new Interaction(
            1,
            InteractionType.DWELL,
            3 * MINUTE,
            null,
            30_000L,
            null,
            null,
            "news",
            List.of("local")),
        new float[] {1, 0},
        settings);

    long now = 3 * MINUTE;
    long halfLife = settings.halfLifeMillis();
    assertThat(features.categoryAffinity("news", now, halfLife)).isCloseTo(1.5, offset(1e-3));
    assertThat(features.tagAffinity("local", now, halfLife)).isCloseTo(1.5, offset(1e-3));
    assertThat(features.categoryAffinity("sports", now, halfLife)).isCloseTo(-1.5, offset(1e-3));
    assertThat(features.count(InteractionType.SKIP)).isEqualTo(2);
    assertThat(features.count(InteractionType.CLICK)).isEqualTo(1);
    assertThat(features.vector()).containsExactly(1f, 0f);
    assertThat(features.session().recentItems()).containsExactly(1); // only engaged items

    var summary = features.summary(now, settings, 0);
    assertThat(summary.intents()).isEqualTo(Map.of("bad_timing", 1L, "not_interested", 1L));
    assertThat(summary.dwell().meanMillis()).isEqualTo(30_000L);
    assertThat(summary.lastImpressionAt()).isNull();
  }
}
