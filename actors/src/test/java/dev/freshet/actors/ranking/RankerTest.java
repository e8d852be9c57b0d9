package dev.freshet.actors.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.features.UserFeatures;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.popularity.PopularityDeltas;
import dev.freshet.actors.user.SeenSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankerTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final long DAY = 86_400_000L;

  /** 40 items, 4 categories (item i in cat-(i % 4)), popularity 40 - i, all created a day ago. */
  private final CatalogSnapshot catalog = catalog(40, 4);

  private final FeatureSettings featureSettings = FeatureSettings.fromConfig(ConfigFactory.load());

  private static CatalogSnapshot catalog(int n, int categories) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(
          new Item(
              "item-" + i,
              i,
              "cat-" + (i % categories),
              List.of("t" + (i % 2)),
              NOW - DAY,
              ItemStatus.ACTIVE,
              n - i,
              new float[] {i % categories == 1 ? 1f : 0f, i % categories == 1 ? 0f : 1f},
              "{}"));
    }
    return CatalogSnapshot.empty().withChanges(items, 1);
  }

  private static RankingSettings settings(String overrides) {
    return RankingSettings.fromConfig(
        ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()));
  }

  private RankingContext context(SeenSet seen, UserFeatures features, PopularityBoard board) {
    return new RankingContext(catalog, board, seen, features, NOW, featureSettings);
  }

  private static RankingRequest request(int k, boolean explain) {
    return new RankingRequest(k, Optional.empty(), Set.of(), explain);
  }

  private Ranking rank(RankingSettings settings, RankingContext context, RankingRequest request) {
    return new Ranker(settings).rank(context, request, "r-1", settings.variantOf("someone"));
  }

  private static List<String> ids(Ranking ranking) {
    return ranking.items().stream().map(RankedItem::id).toList();
  }

  @Test
  void aColdUserGetsPopularityOrderWithoutSeenItemsAndNoError() {
    RankingSettings settings = settings("freshet.ranking.exploration.share = 0");
    SeenSet seen = new SeenSet();
    seen.addAll(new int[] {0, 2});

    Ranking ranking =
        rank(
            settings,
            context(seen, new UserFeatures(), PopularityBoard.empty()),
            request(4, false));

    assertThat(ids(ranking)).containsExactly("item-1", "item-3", "item-4", "item-5");
    assertThat(ranking.items()).extracting(RankedItem::position).containsExactly(1, 2, 3, 4);
    assertThat(ranking.items()).allMatch(i -> i.reason().equals("popular"));
    assertThat(ranking.variant()).isEqualTo("default");
  }

  @Test
  void explainContributionsAddUpToTheScore() {
    Ranking ranking =
        rank(
            settings("freshet.ranking.exploration.share = 0"),
            context(new SeenSet(), new UserFeatures(), PopularityBoard.empty()),
            request(5, true));

    for (RankedItem item : ranking.items()) {
      double sum = item.explain().values().stream().mapToDouble(Double::doubleValue).sum();
      assertThat(sum).isCloseTo(item.score(), offset(1e-12));
      assertThat(item.explain())
          .containsKeys(
              Feature.POPULARITY.key(), Feature.FRESHNESS.key(), Feature.CATEGORY_AFFINITY.key());
    }
    // item-0 is the most popular: its popularity feature is 1, weighted 0.5
    assertThat(ranking.items().get(0).explain().get(Feature.POPULARITY.key()))
        .isCloseTo(0.5, offset(1e-12));
  }

  @Test
  void affinityForACategoryRanksItUpCappedByDiversity() {
    UserFeatures features = new UserFeatures();
    for (int i = 0; i < 5; i++) {
      features.apply(
          new Interaction(
              100 + i, InteractionType.LIKE, NOW - i, null, null, null, null, "cat-3", List.of()),
          null,
          featureSettings);
    }
    RankingSettings settings =
        settings("freshet.ranking.exploration.share = 0\nfreshet.ranking.max-per-category = 3");

    Ranking ranking =
        rank(settings, context(new SeenSet(), features, PopularityBoard.empty()), request(8, true));

    List<String> top = ids(ranking);
    assertThat(top.subList(0, 3)).containsExactly("item-3", "item-7", "item-11"); // cat-3 first...
    assertThat(top.stream().filter(id -> Integer.parseInt(id.substring(5)) % 4 == 3))
        .hasSize(3); // ...but only 3 of them
    assertThat(ranking.items().get(0).reason()).isEqualTo("affinity");
    assertThat(ranking.items().get(0).explain().get(Feature.CATEGORY_AFFINITY.key()))
        .isEqualTo(0.25); // strongest taste: 1 × 0.25
  }

  @Test
  void notInterestedPushesACategoryDownWhereBadTimingDoesNot() {
    UserFeatures annoyed = new UserFeatures();
    UserFeatures busy = new UserFeatures();
    annoyed.apply(
        new Interaction(
            0, InteractionType.SKIP, NOW, "not_interested", null, null, null, "cat-0", List.of()),
        null,
        featureSettings);
    busy.apply(
        new Interaction(
            0, InteractionType.SKIP, NOW, "bad_timing", null, null, null, "cat-0", List.of()),
        null,
        featureSettings);
    SeenSet seen = new SeenSet();
    seen.addAll(new int[] {0});
    RankingSettings settings = settings("freshet.ranking.exploration.share = 0");

    List<String> forAnnoyed =
        ids(rank(settings, context(seen, annoyed, PopularityBoard.empty()), request(4, false)));
    List<String> forBusy =
        ids(rank(settings, context(seen, busy, PopularityBoard.empty()), request(4, false)));

    assertThat(forBusy).containsExactly("item-1", "item-2", "item-3", "item-4");
    assertThat(forAnnoyed).doesNotContain("item-4", "item-8");
  }

  @Test
  void explorationSlotsGoToUnderExposedItemsAndAreMarked() {
    Map<Integer, Double> exposed = new HashMap<>();
    for (int i = 0; i < 30; i++) exposed.put(i, 1.0);
    PopularityBoard board =
        PopularityBoard.empty().merge(new PopularityDeltas(exposed, Map.of(), NOW), DAY);
    RankingSettings settings =
        settings("freshet.ranking.exploration.share = 0.2\nfreshet.ranking.max-per-category = 10");

    Ranking ranking =
        rank(settings, context(new SeenSet(), new UserFeatures(), board), request(10, false));

    List<RankedItem> explored =
        ranking.items().stream().filter(i -> i.reason().equals("exploration")).toList();
    assertThat(explored).hasSize(2);
    for (RankedItem item : explored) {
      assertThat(Integer.parseInt(item.id().substring(5)))
          .isGreaterThanOrEqualTo(30); // never interacted with
    }
    // spread over the list: round(10 * 1/3) and round(10 * 2/3)
    assertThat(explored).extracting(RankedItem::position).containsExactly(3, 7);
    assertThat(ranking.items()).hasSize(10).extracting(RankedItem::id).doesNotHaveDuplicates();
  }

  @Test
  void explorationIsDrawnPerRankingIdUnlessASeedIsSet() {
    Map<Integer, Double> exposed = new HashMap<>();
    for (int i = 0; i < 20; i++) exposed.put(i, 1.0);
    PopularityBoard board =
        PopularityBoard.empty().merge(new PopularityDeltas(exposed, Map.of(), NOW), DAY);
    RankingContext context = context(new SeenSet(), new UserFeatures(), board);
    String share =
        "freshet.ranking.exploration.share = 0.2\nfreshet.ranking.max-per-category = 10\n";
    RankingSettings random = settings(share);
    RankingSettings seeded = settings(share + "freshet.ranking.exploration.seed = 7");

    Set<List<String>> drawnPerId = new HashSet<>();
    Set<List<String>> drawnSeeded = new HashSet<>();
    for (int r = 0; r < 20; r++) {
      drawnPerId.add(
          explored(
              new Ranker(random)
                  .rank(context, request(10, false), "r-" + r, random.variantOf("someone"))));
      drawnSeeded.add(
          explored(
              new Ranker(seeded)
                  .rank(context, request(10, false), "r-" + r, seeded.variantOf("someone"))));
    }
    assertThat(drawnPerId).hasSizeGreaterThan(1);
    assertThat(drawnSeeded).hasSize(1);
    assertThat(drawnSeeded.iterator().next()).hasSize(2);
  }

  private static List<String> explored(Ranking ranking) {
    return ranking.items().stream()
        .filter(i -> i.reason().equals(Ranker.REASON_EXPLORATION))
        .map(RankedItem::id)
        .toList();
  }

  @Test
  void pinnedItemsTakeTheirSlotUnlessSeen() {
    RankingSettings settings =
        settings(
            "freshet.ranking.exploration.share = 0\nfreshet.ranking.pinned = [{ item = \"item-30\", position = 2, reason = sponsored }]");

    Ranking ranking =
        rank(
            settings,
            context(new SeenSet(), new UserFeatures(), PopularityBoard.empty()),
            request(3, false));
    SeenSet seen = new SeenSet();
    seen.addAll(new int[] {30});
    Ranking afterSeen =
        rank(
            settings,
            context(seen, new UserFeatures(), PopularityBoard.empty()),
            request(3, false));

    assertThat(ids(ranking)).containsExactly("item-0", "item-30", "item-1");
    assertThat(ranking.items().get(1).reason()).isEqualTo("sponsored");
    assertThat(ids(afterSeen)).containsExactly("item-0", "item-1", "item-2");
  }

  @Test
  void variantsAreStableAndSplitByShareAndCategoryWeightsApply() {
    RankingSettings settings =
        settings(
            "freshet.ranking.ab.variants = [{ name = a, share = 30 }, { name = b, share = 70, weights { freshness = 0.9 } }]\n"
                + "freshet.ranking.category-weights { cat-1 { popularity = 5.0 } }");
    int a = 0;
    for (int u = 0; u < 10_000; u++) {
      String user = "user-" + u;
      Variant v = settings.variantOf(user);
      assertThat(settings.variantOf(user).name()).isEqualTo(v.name());
      if (v.name().equals("a")) a++;
    }
    assertThat(a).isBetween(2_700, 3_300);
    Variant b = settings.variants().get(1);
    assertThat(b.weights()[Feature.FRESHNESS.ordinal()]).isEqualTo(0.9);
    assertThat(b.weightsFor("cat-1")[Feature.POPULARITY.ordinal()]).isEqualTo(5.0);
    assertThat(b.weightsFor("cat-1")[Feature.FRESHNESS.ordinal()]).isEqualTo(0.9);
    assertThat(b.weightsFor("cat-2")[Feature.POPULARITY.ordinal()]).isEqualTo(0.5);
  }

  @Test
  void categoryFilterAndExclusions() {
    Ranking ranking =
        rank(
            settings("freshet.ranking.exploration.share = 0"),
            context(new SeenSet(), new UserFeatures(), PopularityBoard.empty()),
            new RankingRequest(3, Optional.of("cat-1"), Set.of("item-5"), false));

    assertThat(ids(ranking)).containsExactly("item-1", "item-9", "item-13");
  }

  @Test
  void vectorSimilarityFavoursItemsLikeThoseEngagedWith() {
    UserFeatures features = new UserFeatures();
    // engaged with an item whose embedding is (1, 0), like every cat-1 item
    features.apply(
        new Interaction(1, InteractionType.PURCHASE, NOW, null, null, null, null, null, List.of()),
        new float[] {1f, 0f},
        featureSettings);
    SeenSet seen = new SeenSet();
    seen.addAll(new int[] {1});

    Ranking ranking =
        rank(
            settings("freshet.ranking.exploration.share = 0"),
            context(seen, features, PopularityBoard.empty()),
            request(2, true));

    assertThat(ids(ranking)).containsExactly("item-5", "item-9");
    assertThat(ranking.items().get(0).explain().get(Feature.VECTOR_SIMILARITY.key()))
        .isCloseTo(0.2, offset(1e-6));
    assertThat(ranking.items().get(0).reason()).isEqualTo("similar");
  }

  @Test
  void aPersonaSpeaksForAColdUserUntilTheirOwnBehaviourDoes() {
    RankingSettings settings = settings("freshet.ranking.exploration.share = 0");
    UserFeatures features = new UserFeatures();
    features.setPersona(new Persona(List.of("cat-2"), List.of(), null));

    List<String> cold =
        ids(
            rank(
                settings,
                context(new SeenSet(), features, PopularityBoard.empty()),
                request(2, false)));
    features.apply(
        new Interaction(39, InteractionType.LIKE, NOW, null, null, null, null, "cat-3", List.of()),
        null,
        featureSettings);
    List<String> warm =
        ids(
            rank(
                settings,
                context(new SeenSet(), features, PopularityBoard.empty()),
                request(2, false)));

    assertThat(cold).containsExactly("item-2", "item-6");
    assertThat(warm).containsExactly("item-3", "item-7");
  }

  @Test
  void topScoresKeepsTheBestWithTiesInServingOrder() {
    Ranker.TopScores top = new Ranker.TopScores(3);
    double[] scores = {0.5, 0.9, 0.1, 0.9, 0.7, 0.9, 0.3};
    for (int i = 0; i < scores.length; i++) top.offer(scores[i], i);

    assertThat(top.bestFirst()).containsExactly(1, 3, 5);
    Ranker.TopScores wide = new Ranker.TopScores(10);
    for (int i = 0; i < scores.length; i++) wide.offer(scores[i], i);
    assertThat(wide.bestFirst()).containsExactly(1, 3, 5, 4, 0, 6, 2);
  }
}
