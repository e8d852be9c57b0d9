package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.user.UserEntity.ImpressionsRecorded;
import dev.freshet.actors.user.UserEntity.ImpressionsResult;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("freshet.user.snapshot-every = 3"))
              .withFallback(ConfigFactory.load()));

  private final CatalogSnapshot catalog = TestCatalogs.ofSize(100, 4);

  private EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserEntity.State> kit;

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            UserEntity.create(
                "u1",
                PersistenceId.of("User", "u1"),
                () -> catalog,
                dev.freshet.actors.popularity.PopularityBoard::empty,
                UserEntitySettings.fromConfig(testKit.system().settings().config())));
    kit.clear();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          UserEntity.Command, UserEntity.Event, UserEntity.State, StatusReply<ImpressionsResult>>
      record(int... ids) {
    return kit.runCommand(replyTo -> new UserEntity.RecordImpressions(ids, 1_000L, replyTo));
  }

  @Test
  void dedupWithinABatchPersistsOneEventOfFirstTimeIds() {
    var result = record(1, 2, 2, 3, 1);

    assertThat(result.reply().getValue()).isEqualTo(new ImpressionsResult(3, 2));
    assertThat(result.events()).hasSize(1);
    assertThat(((ImpressionsRecorded) result.event()).itemIds()).containsExactly(1, 2, 3);
    assertThat(result.state().seen.size()).isEqualTo(3);
  }

  @Test
  void theEventKeepsTheContextOfFirstTimeImpressionsOnly() {
    record(1, 2);
    var result =
        kit.<StatusReply<ImpressionsResult>>runCommand(
            replyTo ->
                new UserEntity.RecordImpressions(
                    new int[] {2, 5, 6, 5}, new int[] {0, 1, 2, 3}, "home", "rank-1", 2_000L, replyTo));

    ImpressionsRecorded event = (ImpressionsRecorded) result.event();
    assertThat(event.itemIds()).containsExactly(5, 6);
    assertThat(event.positions()).containsExactly(1, 2);
    assertThat(event.surface()).isEqualTo("home");
    assertThat(event.rankingId()).isEqualTo("rank-1");
    assertThat(event.atMillis()).isEqualTo(2_000L);
    assertThat(((ImpressionsRecorded) record(9).event()).positions()).isNull();
  }

  private dev.freshet.actors.features.Interaction event(int item, dev.freshet.actors.features.InteractionType type, long at, String intent) {
    return new dev.freshet.actors.features.Interaction(item, type, at, intent, null, null, null);
  }

  @Test
  void eventsUpdateFeaturesJournalFirstTimeImpressionsOnlyAndSurviveRecovery() {
    record(1);
    var result =
        kit.<StatusReply<UserEntity.EventsResult>>runCommand(
            replyTo ->
                new UserEntity.RecordEvents(
                    java.util.List.of(
                        event(1, dev.freshet.actors.features.InteractionType.IMPRESSION, 5_000, null), // seen before
                        event(2, dev.freshet.actors.features.InteractionType.IMPRESSION, 5_000, null),
                        event(2, dev.freshet.actors.features.InteractionType.IMPRESSION, 5_000, null), // repeat
                        event(2, dev.freshet.actors.features.InteractionType.CLICK, 6_000, null),
                        event(5, dev.freshet.actors.features.InteractionType.SKIP, 7_000, "bad_timing")),
                    replyTo));

    assertThat(result.reply().getValue()).isEqualTo(new UserEntity.EventsResult(5, 1));
    var journaled = ((UserEntity.InteractionsRecorded) result.event()).interactions();
    assertThat(journaled).extracting(dev.freshet.actors.features.Interaction::itemId).containsExactly(2, 2, 5);
    assertThat(journaled.get(1).category()).isEqualTo("cat-2"); // the item's category, kept in the event
    var features = result.state().features;
    assertThat(features.categoryAffinity("cat-2", 6_000, 86_400_000L)).isEqualTo(1.0);
    assertThat(features.categoryAffinity("cat-1", 7_000, 86_400_000L)).isZero(); // bad timing: no penalty
    assertThat(result.state().seen.size()).isEqualTo(3); // 1, 2 and the skipped 5

    kit.restart();

    assertThat(kit.getState().features.categoryAffinity("cat-2", 6_000, 86_400_000L)).isEqualTo(1.0);
    assertThat(kit.getState().features.count(dev.freshet.actors.features.InteractionType.SKIP)).isEqualTo(1);
  }

  @Test
  void dedupAcrossBatches() {
    record(1, 2, 3);
    var second = record(3, 4, 1, 5);
    var third = record(5, 4);

    assertThat(second.reply().getValue()).isEqualTo(new ImpressionsResult(2, 2));
    assertThat(((ImpressionsRecorded) second.event()).itemIds()).containsExactly(4, 5);
    assertThat(third.reply().getValue()).isEqualTo(new ImpressionsResult(0, 2));
    assertThat(third.hasNoEvents()).isTrue();
  }

  @Test
  void aThousandIdBatchIsOneEvent() {
    int[] ids = IntStream.range(0, 1_000).toArray();
    var result = record(ids);

    assertThat(result.events()).hasSize(1);
    assertThat(result.reply().getValue()).isEqualTo(new ImpressionsResult(1_000, 0));
  }

  @Test
  void recoveryFromSnapshotAndEventsYieldsTheSameSeenSet() {
    // snapshot-every = 3: events 1-3 end in a snapshot, 4-5 replay on top of it
    for (int batch = 0; batch < 5; batch++) {
      record(IntStream.range(batch * 10, batch * 10 + 7).toArray());
    }
    int[] before = kit.getState().seen.toArray();

    kit.restart();

    assertThat(kit.getState().seen.toArray()).containsExactly(before);
    assertThat(before).hasSize(35);
    assertThat(kit.getState().lastImpressionAt).isEqualTo(1_000L);
  }

  @Test
  void stateFiguresAgainstThePool() {
    record(0, 1, 2, 3, 4);
    var reply = kit.runCommand(UserEntity.GetState::new).reply().getValue();

    assertThat(reply.seen()).isEqualTo(5);
    assertThat(reply.poolSize()).isEqualTo(100);
    assertThat(reply.unseen()).isEqualTo(95);
    assertThat(reply.coverage()).isEqualTo(0.05);
  }

  @Test
  void recommendationsLeaveSeenItemsOut() {
    record(0, 1, 2);
    var ranking =
        kit.<StatusReply<UserEntity.RankingResult>>runCommand(
                replyTo ->
                    new UserEntity.Recommend(
                        new dev.freshet.actors.ranking.RankingRequest(
                            5, java.util.Optional.empty(), java.util.Set.of(), false),
                        replyTo))
            .reply()
            .getValue()
            .served();

    assertThat(ranking.items())
        .extracting(dev.freshet.actors.ranking.RankedItem::id)
        .containsExactly("item-3", "item-4", "item-5", "item-6", "item-7");
    assertThat(Arrays.stream(ranking.items().toArray())).hasSize(5);
  }
}
