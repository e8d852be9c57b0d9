package dev.freshet.actors.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.UserFeatures;
import dev.freshet.actors.learning.AlsModel;
import dev.freshet.actors.learning.AlsSettings;
import dev.freshet.actors.learning.CfModel;
import dev.freshet.actors.learning.ServingModels;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.SeenSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cf feature and candidate source, from the model the user's variant ranks with. */
class CfRankingTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final AlsSettings ALS = new AlsSettings(2, 5, 0.1, 2.0, 42, 1);

  /** n items in one category, popularity falling with the id. */
  private static CatalogSnapshot catalog(int n) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++)
      items.add(
          new Item(
              "item-" + i,
              i,
              "films",
              List.of(),
              NOW - 86_400_000L - i * 1_000L, // the newest first: higher ids are older
              ItemStatus.ACTIVE,
              n - i,
              null,
              "{}"));
    return CatalogSnapshot.empty().withChanges(items, 1);
  }

  /**
   * Item factors of n items: the last ten items lie along the second axis, every other along the
   * first; version {@code version} reverses which ones (to tell two versions apart).
   */
  private static CfModel model(long version, int n, boolean lastTenSecond) {
    float[] f = new float[2 * n];
    for (int i = 0; i < n; i++) {
      boolean second = (i >= n - 10) == lastTenSecond;
      f[2 * i] = second ? 0 : 1;
      f[2 * i + 1] = second ? 1 : 0;
    }
    return new CfModel(version, AlsModel.ofItemFactors(ALS, f));
  }

  private static RankingSettings settings(String overrides) {
    return RankingSettings.fromConfig(
        ConfigFactory.parseString(
                "freshet.ranking.exploration.share = 0\n"
                    + "freshet.ranking.max-per-category = 100\n"
                    + overrides)
            .withFallback(ConfigFactory.load()));
  }

  /** The ranking of a user whose CF vector points along the second axis. */
  private static Ranking rank(
      CatalogSnapshot catalog, ServingModels models, RankingSettings settings, String variant) {
    UserCf cf =
        v ->
            models
                .forVersion(v.model())
                .map(m -> new CfScores(m, new float[] {0, 1}))
                .orElse(CfScores.NONE);
    RankingContext ctx =
        new RankingContext(
            catalog,
            PopularityBoard.empty(),
            new SeenSet(),
            new UserFeatures(),
            NOW,
            FeatureSettings.fromConfig(ConfigFactory.load()),
            cf);
    RankingRequest request =
        new RankingRequest(10, Optional.empty(), Set.of(), true, Optional.of(variant));
    Variant v = settings.variantNamed(variant).orElseThrow();
    // as the user entity ranks: retrieval decides whether the pool is scored whole
    Retrieval.Retrieved retrieved =
        new Retrieval(settings, VectorLookup.none())
            .start(ctx, request, v)
            .toCompletableFuture()
            .join();
    return new Ranker(settings).rank(ctx, request, "r", v, retrieved);
  }

  private static final String VARIANTS =
      "freshet.ranking.ab.variants = [{name = a, share = 100, weights { cf = 5 }},"
          + " {name = pinned, share = 0, model = 3, weights { cf = 5 }},"
          + " {name = off, share = 0, weights { cf = 0 }}]\n";

  @Test
  void theItemsOthersLikeYouRankFirstWithTheirReasonAndContribution() {
    CatalogSnapshot catalog = catalog(100);
    ServingModels models = new ServingModels();
    models.promote(model(9, 100, true));
    Ranking ranking = rank(catalog, models, settings(VARIANTS), "a");
    assertThat(ranking.items())
        .extracting(RankedItem::id)
        .containsExactlyInAnyOrder(
            "item-90", "item-91", "item-92", "item-93", "item-94", "item-95", "item-96", "item-97",
            "item-98", "item-99");
    RankedItem first = ranking.items().get(0);
    assertThat(first.reason()).isEqualTo("others-like-you");
    assertThat(first.explain()).containsEntry("cf", 5.0);
    // without the feature the popular ones lead
    assertThat(rank(catalog, models, settings(VARIANTS), "off").items().get(0).id())
        .isEqualTo("item-0");
  }

  @Test
  void aVariantPinningAVersionRanksWithItAndWithoutItWhileItIsNotLoaded() {
    CatalogSnapshot catalog = catalog(100);
    ServingModels models = new ServingModels();
    models.promote(model(9, 100, true));
    // version 3 not loaded: no cf at all rather than the promoted model
    assertThat(rank(catalog, models, settings(VARIANTS), "pinned").items().get(0).id())
        .isEqualTo("item-0");
    models.pin(model(3, 100, false)); // the reverse: the first 90 along the second axis
    Ranking pinned = rank(catalog, models, settings(VARIANTS), "pinned");
    assertThat(pinned.items()).extracting(RankedItem::id).doesNotContain("item-95");
    assertThat(pinned.items().get(0).explain()).containsEntry("cf", 5.0);
  }

  @Test
  void overALargePoolTheCfSourceRetrievesWhatNoOtherSourceWould() {
    // 6,000 items: above min-pool, so candidates are retrieved; the ten the model points to are
    // the least popular and the oldest
    CatalogSnapshot catalog = catalog(6_000);
    ServingModels models = new ServingModels();
    models.promote(model(9, 6_000, true));
    Ranking ranking = rank(catalog, models, settings(VARIANTS), "a");
    assertThat(ranking.items().get(0).sources()).contains("cf");
    assertThat(ranking.items()).extracting(RankedItem::id).contains("item-5999", "item-5990");
  }
}
