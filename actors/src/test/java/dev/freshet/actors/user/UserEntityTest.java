package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.user.UserEntity.ImpressionsRecorded;
import dev.freshet.actors.user.UserEntity.ImpressionsResult;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
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

  private final AtomicReference<CatalogSnapshot> catalog =
      new AtomicReference<>(TestCatalogs.ofSize(100, 4));
  private final TestProbe<PoolCoordinator.Command> pool =
      testKit.createTestProbe();

  private EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserEntity.State> kit;

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            UserEntity.create(
                "u1",
                PersistenceId.of("User", "u1"),
                catalog::get,
                dev.freshet.actors.popularity.PopularityBoard::empty,
                pool.ref(),
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
    assertThat(result.events()).hasSize(2);
    assertThat(((ImpressionsRecorded) result.events().get(0)).itemIds()).containsExactly(1, 2, 3);
    assertThat(((UserEntity.ImpressionsRepeated) result.events().get(1)).itemIds()).containsExactly(2, 1);
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
    assertThat(((UserEntity.ImpressionsRepeated) result.events().get(1)).itemIds()).containsExactly(1, 2);
    var journaled = ((UserEntity.InteractionsRecorded) result.events().get(0)).interactions();
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
    // a repeat changes nothing but is journaled once, for the read model's view counts
    assertThat(third.events()).hasSize(1);
    assertThat(((UserEntity.ImpressionsRepeated) third.event()).itemIds()).containsExactly(5, 4);
    assertThat(third.state().seen.size()).isEqualTo(5);
  }

  @Test
  void aThousandIdBatchIsOneEvent() {
    catalog.set(TestCatalogs.ofSize(10_000, 4)); // a large pool: no coverage threshold is crossed
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

  // ---- freshness and pool-low signals ------------------------------------------------------------

  private UserEntity.UserStateView state() {
    return kit.runCommand(UserEntity.GetState::new).reply().getValue();
  }

  private PoolCoordinator.Signal expectSignal(double threshold) {
    PoolCoordinator.Signal signal = pool.expectMessageClass(PoolCoordinator.Signal.class);
    assertThat(signal.signal().threshold()).isEqualTo(threshold);
    assertThat(signal.signal().userId()).isEqualTo("u1");
    return signal;
  }

  @Test
  void eachCoverageThresholdSignalsOnceWithTheSizeWanted() {
    record(IntStream.range(0, 84).toArray()); // 84 %
    pool.expectNoMessage(java.time.Duration.ofMillis(50));

    var crossing = record(84, 85); // 86 %
    assertThat(crossing.events()).hasSize(2);
    assertThat(crossing.events().get(1)).isInstanceOf(UserEntity.PoolLevelsChanged.class);
    var first = expectSignal(0.85).signal();
    assertThat(first.wanted()).isEqualTo(10);
    assertThat(first.urgent()).isFalse();
    assertThat(first.freshness()).isEqualTo(dev.freshet.actors.pool.Freshness.of(100, 86));

    record(86, 87); // 88 %: still above 85 %, no repeat
    pool.expectNoMessage(java.time.Duration.ofMillis(50));

    record(88, 89, 90); // 91 %
    assertThat(expectSignal(0.90).signal().wanted()).isEqualTo(20);

    record(91, 92, 93, 94, 95); // 96 %: urgent, and fewer than 5 unseen
    var urgent = expectSignal(0.95).signal();
    assertThat(urgent.wanted()).isEqualTo(50);
    assertThat(urgent.urgent()).isTrue();
    var risk = pool.expectMessageClass(PoolCoordinator.RiskReport.class);
    assertThat(risk.atRisk()).isTrue();
    assertThat(risk.unseen()).isEqualTo(4);

    assertThat(state().thresholdsReached()).containsExactly(0.85, 0.90, 0.95);
  }

  @Test
  void newItemsChangeTheFiguresWithoutReplayAndReArmTheThresholds() {
    record(IntStream.range(0, 86).toArray());
    expectSignal(0.85);

    catalog.set(TestCatalogs.ofSize(200, 4)); // 100 new items: coverage 43 %
    var figures = state();
    assertThat(figures.poolSize()).isEqualTo(200);
    assertThat(figures.unseen()).isEqualTo(114);
    assertThat(figures.coverage()).isEqualTo(0.43);
    assertThat(figures.categories().get("cat-0").poolSize()).isEqualTo(50);

    var rearm = record(100); // the next impression re-arms 85 %
    assertThat(rearm.events()).hasSize(2);
    assertThat(((UserEntity.PoolLevelsChanged) rearm.events().get(1)).levels())
        .isEqualTo(dev.freshet.actors.pool.PoolLevels.NONE);
    pool.expectNoMessage(java.time.Duration.ofMillis(50));

    record(IntStream.range(101, 184).toArray()); // 170 of 200: 85 % again
    expectSignal(0.85);

    kit.restart(); // the levels are part of the journal: no second signal after recovery
    record(184);
    pool.expectNoMessage(java.time.Duration.ofMillis(50));
  }

  @Test
  void aSignalNamesTheUsersFavouriteCategoryWhenItRunsAsLow() {
    // a user who clicks only cat-1 and has seen all of it: coverage of cat-1 100 %
    int[] cat1 = IntStream.range(0, 100).filter(i -> i % 4 == 1).toArray();
    kit.<StatusReply<UserEntity.EventsResult>>runCommand(
        replyTo ->
            new UserEntity.RecordEvents(
                java.util.List.of(event(1, dev.freshet.actors.features.InteractionType.CLICK, 1_000, null)), replyTo));
    record(cat1);
    record(IntStream.range(0, 100).filter(i -> i % 4 != 1).limit(61).toArray()); // 86 % overall
    assertThat(expectSignal(0.85).signal().category()).isEqualTo("cat-1");
  }

  // ---- replay and favourites ------------------------------------------------------------------

  @Test
  void replayServesSeenItemsWithoutRecordingImpressionsAndCountsReplays() {
    record(10, 11, 12);
    var first = kit.<StatusReply<UserEntity.ReplayResult>>runCommand(
        replyTo -> new UserEntity.Replay(5, java.util.Optional.empty(), 9_000L, replyTo));

    assertThat(first.reply().getValue().items())
        .extracting(r -> r.item().id())
        .containsExactlyInAnyOrder("item-10", "item-11", "item-12");
    assertThat(first.reply().getValue().items()).allSatisfy(r -> {
      assertThat(r.replayCount()).isEqualTo(1);
      assertThat(r.lastReplayedAt()).isEqualTo(9_000L);
    });
    assertThat(first.events()).singleElement().isInstanceOf(UserEntity.ItemsReplayed.class);
    assertThat(first.state().seen.size()).isEqualTo(3);
    assertThat(first.state().lastImpressionAt).isEqualTo(1_000L);

    var second = kit.<StatusReply<UserEntity.ReplayResult>>runCommand(
        replyTo -> new UserEntity.Replay(1, java.util.Optional.empty(), 9_500L, replyTo));
    var again = second.reply().getValue().items().get(0);
    assertThat(again.replayCount()).isEqualTo(2);
    assertThat(again.lastReplayedAt()).isEqualTo(9_500L);

    kit.restart();
    assertThat(kit.getState().replays.total()).isEqualTo(4);
  }

  @Test
  void replayOfAUserWhoSawNothingIsEmptyAndWritesNothing() {
    var result = kit.<StatusReply<UserEntity.ReplayResult>>runCommand(
        replyTo -> new UserEntity.Replay(5, java.util.Optional.empty(), 9_000L, replyTo));
    assertThat(result.reply().getValue().items()).isEmpty();
    assertThat(result.hasNoEvents()).isTrue();
  }

  @Test
  void favoritesAreAddedOnceRemovedAndListedNewestFirst() {
    var added = kit.<StatusReply<UserEntity.FavoritesView>>runCommand(r -> new UserEntity.AddFavorite(7, 1_000L, r));
    assertThat(added.reply().getValue().changed()).isTrue();
    kit.<StatusReply<UserEntity.FavoritesView>>runCommand(r -> new UserEntity.AddFavorite(3, 2_000L, r));
    var again = kit.<StatusReply<UserEntity.FavoritesView>>runCommand(r -> new UserEntity.AddFavorite(7, 3_000L, r));
    assertThat(again.reply().getValue().changed()).isFalse();
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(again.reply().getValue().favorites())
        .extracting(Favorites.Favorite::itemId)
        .containsExactly(3, 7);

    var removed = kit.<StatusReply<UserEntity.FavoritesView>>runCommand(r -> new UserEntity.RemoveFavorite(7, r));
    assertThat(removed.reply().getValue().favorites()).extracting(Favorites.Favorite::itemId).containsExactly(3);
    var notThere = kit.<StatusReply<UserEntity.FavoritesView>>runCommand(r -> new UserEntity.RemoveFavorite(99, r));
    assertThat(notThere.hasNoEvents()).isTrue();

    kit.restart();
    assertThat(kit.runCommand(UserEntity.GetFavorites::new).reply().getValue().favorites())
        .containsExactly(new Favorites.Favorite(3, 2_000L));
  }
}
