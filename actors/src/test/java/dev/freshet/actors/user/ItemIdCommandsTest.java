package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;

/**
 * {@link UserEntity.RecordItemImpressions} and {@link UserEntity.RecordItemEvents}: items named by
 * catalog ids, resolved by the entity, with what the journal keeps checked.
 */
class ItemIdCommandsTest extends AxisCatalogEntityTesting {

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          UserEntity.Command,
          UserEntity.Event,
          UserEntity.State,
          StatusReply<UserEntity.ImpressionsResult>>
      impressions(List<String> ids, List<Integer> positions, String surface) {
    return kit.runCommand(
        r -> new UserEntity.RecordItemImpressions(ids, positions, surface, "rk-1", 2_000L, r));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          UserEntity.Command,
          UserEntity.Event,
          UserEntity.State,
          StatusReply<UserEntity.EventsResult>>
      events(UserEntity.ItemEvent... events) {
    return kit.runCommand(r -> new UserEntity.RecordItemEvents(List.of(events), r));
  }

  private static UserEntity.ItemEvent event(String item, InteractionType type, Long value) {
    return new UserEntity.ItemEvent(item, type, 3_000L, null, value, null, null);
  }

  @Test
  void impressionsByCatalogIdAreResolvedAndJournaledAsDenseIds() {
    var result = impressions(List.of("item-4", "item-7", "item-4"), List.of(0, 1, 2), "home");

    assertThat(result.reply().getValue()).isEqualTo(new UserEntity.ImpressionsResult(2, 1, true));
    var shown = (UserEntity.ImpressionsShown) result.event();
    assertThat(shown.firstTime()).containsExactly(4, 7);
    assertThat(shown.repeated()).containsExactly(4);
    assertThat(shown.positions()).containsExactly(0, 1);
    assertThat(shown.surface()).isEqualTo("home");
    assertThat(shown.rankingId()).isEqualTo("rk-1");
  }

  @Test
  void eventsByCatalogIdMoveTheFeaturesAsTheEdgesDo() {
    var result =
        events(
            event("item-12", InteractionType.LIKE, null),
            event("item-12", InteractionType.DWELL, 40_000L));

    assertThat(result.reply().getValue().accepted()).isEqualTo(2);
    var recorded = (UserEntity.InteractionsRecorded) result.event();
    assertThat(recorded.interactions()).extracting(Interaction::itemId).containsExactly(12, 12);
    assertThat(recorded.interactions().get(0).category()).isEqualTo("cat-12");
    assertThat(result.state().features().count(InteractionType.LIKE)).isEqualTo(1);
    assertThat(result.state().features().vector()).isEqualTo(axis(1, 1f));
  }

  @Test
  void aBadBatchIsRefusedWholeNamingTheFieldAndChangesNothing() {
    List<String> refusals = new ArrayList<>();
    java.util.function.Consumer<StatusReply<?>> expectError =
        reply -> {
          assertThat(reply.isError()).isTrue();
          refusals.add(reply.getError().getMessage());
        };
    var unknown = impressions(List.of("item-1", "nope"), null, null);
    assertThat(unknown.hasNoEvents()).isTrue();
    expectError.accept(unknown.reply());
    expectError.accept(impressions(List.of(), null, null).reply());
    expectError.accept(impressions(List.of("item-1"), List.of(1, 2), null).reply());
    expectError.accept(impressions(List.of("item-1"), java.util.Arrays.asList(-1), null).reply());
    expectError.accept(impressions(List.of("item-1"), null, "home\u0000").reply());
    expectError.accept(events(event("item-1", InteractionType.DWELL, null)).reply());
    expectError.accept(events(event("item-1", InteractionType.CLICK, 5L)).reply());
    expectError.accept(events(event("item-1", null, null)).reply());
    expectError.accept(
        events(
                event("item-1", InteractionType.LIKE, null),
                new UserEntity.ItemEvent(
                    "item-2", InteractionType.SKIP, 3_000L, "x".repeat(65), null, null, null))
            .reply());
    expectError.accept(events(event("gone", InteractionType.LIKE, null)).reply());

    assertThat(refusals)
        .containsExactly(
            "itemIds[1] (nope) is not in the catalog",
            "itemIds must hold 1 to 1000 item ids",
            "positions must have one entry per item id",
            "positions[0] must be a non-negative integer",
            "surface must not hold control characters or unpaired surrogates",
            "events[0].value (dwell time in ms) must be from 0 to 86400000",
            "events[0].value is only for dwell events",
            "events[0].type is required",
            "events[1].intent must be 1 to 64 characters",
            "events[0].itemId (gone) is not in the catalog");
    assertThat(kit.getState().seen().size()).isZero();
    assertThat(kit.getState().features().hasHistory()).isFalse();
  }
}
