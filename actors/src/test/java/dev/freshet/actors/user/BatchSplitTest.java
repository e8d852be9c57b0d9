package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.SignalWeights;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The first-time/repeat split of a batch on its own, without an entity. */
class BatchSplitTest {

  private final SignalWeights signals = FeatureSettings.fromConfig(ConfigFactory.load()).signals();

  /** Items 0-9: even ones have an embedding, item 7 is unknown. */
  private final IntFunction<Item> items =
      id ->
          id == 7 || id > 9
              ? null
              : new Item(
                  "item-" + id,
                  id,
                  "cat-" + id % 2,
                  List.of("t" + id),
                  0L,
                  ItemStatus.ACTIVE,
                  1.0,
                  id % 2 == 0 ? new float[] {id} : null,
                  "{}");

  private static SeenSet seen(int... ids) {
    SeenSet seen = new SeenSet();
    seen.addAll(ids);
    return seen;
  }

  private static UserEntity.RecordImpressions shown(int[] ids, int[] positions) {
    return new UserEntity.RecordImpressions(ids, positions, "home", "rank-1", 2_000L, null);
  }

  private static Interaction event(int item, InteractionType type, long at) {
    return new Interaction(item, type, at, null, null, null, null);
  }

  @Test
  void impressionsMakeOneEventWithEachUnseenIdOnceWithItsPositionAndTheRepeatsInBatchOrder() {
    BatchSplit split =
        BatchSplit.impressions(
            seen(1), shown(new int[] {2, 1, 5, 2, 6}, new int[] {0, 1, 2, 3, 4}));

    assertThat(split.newImpressions()).isEqualTo(3);
    assertThat(split.repeats()).isEqualTo(2);
    assertThat(split.firstSeen()).containsExactly(2, 5, 6);
    var shown = (UserEntity.ImpressionsShown) split.events().get(0);
    assertThat(split.events()).hasSize(1);
    assertThat(shown.firstTime()).containsExactly(2, 5, 6);
    assertThat(shown.positions()).containsExactly(0, 2, 4);
    assertThat(shown.surface()).isEqualTo("home");
    assertThat(shown.rankingId()).isEqualTo("rank-1");
    assertThat(shown.atMillis()).isEqualTo(2_000L);
    assertThat(shown.repeated()).containsExactly(1, 2);
  }

  @Test
  void impressionsWithoutPositionsOrWithoutAnythingNewMakeOneEventAndAnEmptyBatchNone() {
    BatchSplit allNew = BatchSplit.impressions(seen(), shown(new int[] {3}, null));
    var fresh = (UserEntity.ImpressionsShown) allNew.events().get(0);
    assertThat(allNew.events()).hasSize(1);
    assertThat(fresh.positions()).isNull();
    assertThat(fresh.repeated()).isEmpty();

    BatchSplit allSeen = BatchSplit.impressions(seen(3), shown(new int[] {3, 3}, null));
    var repeats = (UserEntity.ImpressionsShown) allSeen.events().get(0);
    assertThat(allSeen.events()).hasSize(1);
    assertThat(repeats.firstTime()).isEmpty();
    assertThat(repeats.repeated()).containsExactly(3, 3);
    assertThat(allSeen.firstSeen()).isEmpty();

    assertThat(BatchSplit.impressions(seen(), shown(new int[0], null)).events()).isEmpty();
  }

  @Test
  void interactionsJournalAllButRepeatedImpressionsWithTheirItemsCategoryAndTags() {
    BatchSplit split =
        BatchSplit.interactions(
            seen(1),
            List.of(
                event(1, InteractionType.IMPRESSION, 5_000), // seen before
                event(2, InteractionType.IMPRESSION, 5_000),
                event(2, InteractionType.IMPRESSION, 5_500), // twice in the batch
                event(2, InteractionType.CLICK, 6_000),
                event(7, InteractionType.CLICK, 6_500), // unknown item
                event(3, InteractionType.SKIP, 7_000)),
            items,
            signals);

    assertThat(split.events()).hasSize(1);
    var event = (UserEntity.InteractionsRecorded) split.events().get(0);
    var journaled = event.interactions();
    assertThat(journaled).extracting(Interaction::itemId).containsExactly(2, 2, 7, 3);
    assertThat(journaled)
        .extracting(Interaction::category)
        .containsExactly("cat-0", "cat-0", null, "cat-1");
    assertThat(journaled.get(0).tags()).containsExactly("t2");
    assertThat(event.repeated()).containsExactly(1, 2);
    assertThat(event.repeatedAt()).isEqualTo(5_500L);
    assertThat(split.newImpressions()).isEqualTo(1);
    assertThat(split.repeats()).isEqualTo(2);
    assertThat(split.firstSeen())
        .containsExactly(2, 7, 3); // a click or skip means the item was seen
  }

  @Test
  void anItemEngagedWithBeforeAnyImpressionHasItsFirstImpressionYetMovesNoPoolLevel() {
    SeenSet seen = seen(1, 3); // 3 through a click, before its impression arrived
    EngagedUnshown unshown = EngagedUnshown.of(new int[] {3});

    BatchSplit shown =
        BatchSplit.impressions(seen, unshown, shown(new int[] {3, 1, 4}, null), false);
    assertThat(((UserEntity.ImpressionsShown) shown.events().get(0)).firstTime())
        .containsExactly(3, 4);
    assertThat(shown.newImpressions()).isEqualTo(2);
    assertThat(shown.repeats()).isEqualTo(1);
    assertThat(shown.firstSeen()).containsExactly(4); // 3 counted when it was clicked

    BatchSplit asEvents =
        BatchSplit.interactions(
            seen,
            unshown,
            List.of(
                event(3, InteractionType.IMPRESSION, 5_000),
                event(3, InteractionType.IMPRESSION, 5_100)),
            items,
            signals,
            false,
            0L);
    var event = (UserEntity.InteractionsRecorded) asEvents.events().get(0);
    assertThat(event.interactions()).extracting(Interaction::itemId).containsExactly(3);
    assertThat(event.repeated()).containsExactly(3);
    assertThat(asEvents.newImpressions()).isEqualTo(1);
    assertThat(asEvents.firstSeen()).isEmpty();
  }

  @Test
  void interactionsThatAreAllRepeatsStillMakeOneEvent() {
    BatchSplit split =
        BatchSplit.interactions(
            seen(1), List.of(event(1, InteractionType.IMPRESSION, 5_000)), items, signals);

    var event = (UserEntity.InteractionsRecorded) split.events().get(0);
    assertThat(split.events()).hasSize(1);
    assertThat(event.interactions()).isEmpty();
    assertThat(event.repeated()).containsExactly(1);
    assertThat(split.firstSeen()).isEmpty();
    assertThat(split.repeats()).isEqualTo(1);
  }

  @Test
  void forARollingUpgradeBatchesAreJournaledAsTheTwoEventsOfOlderVersions() {
    BatchSplit shown =
        BatchSplit.impressions(
            seen(1), shown(new int[] {2, 1, 5, 2}, new int[] {0, 1, 2, 3}), true);
    assertThat(shown.events()).hasSize(2);
    var recorded = (UserEntity.ImpressionsRecorded) shown.events().get(0);
    assertThat(recorded.itemIds()).containsExactly(2, 5);
    assertThat(recorded.positions()).containsExactly(0, 2);
    assertThat(((UserEntity.ImpressionsRepeated) shown.events().get(1)).itemIds())
        .containsExactly(1, 2);
    assertThat(BatchSplit.impressions(seen(3), shown(new int[] {3}, null), true).events())
        .singleElement()
        .isInstanceOf(UserEntity.ImpressionsRepeated.class);

    BatchSplit events =
        BatchSplit.interactions(
            seen(1),
            List.of(
                event(1, InteractionType.IMPRESSION, 5_000),
                event(2, InteractionType.CLICK, 6_000)),
            items,
            signals,
            true);
    assertThat(events.events()).hasSize(2);
    var interactions = (UserEntity.InteractionsRecorded) events.events().get(0);
    assertThat(interactions.interactions()).extracting(Interaction::itemId).containsExactly(2);
    assertThat(interactions.repeated()).isEmpty();
    var repeated = (UserEntity.ImpressionsRepeated) events.events().get(1);
    assertThat(repeated.itemIds()).containsExactly(1);
    assertThat(repeated.atMillis()).isEqualTo(5_000L);
  }

  @Test
  void interactionsCarryTheEmbeddingOfEveryItemEngagedWithThatHasOne() {
    BatchSplit split =
        BatchSplit.interactions(
            seen(),
            List.of(
                event(2, InteractionType.IMPRESSION, 1_000), // not an engagement
                event(4, InteractionType.CLICK, 1_000),
                event(6, InteractionType.SKIP, 1_000), // a negative one
                event(5, InteractionType.LIKE, 1_000)), // no embedding
            items,
            signals);

    var event = (UserEntity.InteractionsRecorded) split.events().get(0);
    assertThat(event.embeddings()).containsOnlyKeys(4);
    assertThat(event.embeddingOf(4)).containsExactly(4f);
  }
}
