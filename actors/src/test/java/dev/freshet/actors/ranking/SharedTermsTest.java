package dev.freshet.actors.ranking;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Ranking from {@link SharedTerms} (user-independent terms computed once per catalog and board)
 * against a direct computation of every feature of every item, written out here from the features'
 * definitions: on random catalogs, boards, users (with history, with a persona, with an active
 * session, with "not interested" feedback), variants with category weights, and rankings at times
 * before, at and after the time the shared terms were computed for.
 */
class SharedTermsTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final double LN2 = Math.log(2);
  private static final int DIM = 6;

  private final FeatureSettings featureSettings = FeatureSettings.fromConfig(ConfigFactory.load());

  /** The highest popularity of an active item, per catalog. */
  private final Map<CatalogSnapshot, Double> maxPopularity = new HashMap<>();

  @Test
  void scoresFromSharedTermsEqualADirectComputation() {
    for (int seed = 1; seed <= 6; seed++) {
      Random random = new Random(seed);
      CatalogSnapshot catalog = catalog(random, 300 + random.nextInt(300), 2 + random.nextInt(6));
      PopularityBoard board = board(random, catalog);
      RankingSettings settings =
          settings(
              "freshet.ranking.exploration.share = 0\n"
                  + "freshet.ranking.max-per-category = 100000\n"
                  + "freshet.ranking.ab.variants = [{ name = a, share = 50 },"
                  + " { name = b, share = 50, weights { trending = 0, freshness = 0.9,"
                  + " vectorSimilarity = 1.5 } },"
                  + " { name = c, share = 0, weights { popularity = 0, trending = 0 } }]\n"
                  + "freshet.ranking.category-weights { cat-1 { popularity = 5.0,"
                  + " tagAffinity = 0 }, cat-2 { freshness = 0, sessionSimilarity = 2.0 } }");
      Ranker ranker = new Ranker(settings);
      List<UserFeatures> users = users(random, catalog);
      // the first ranking computes the shared terms as of NOW; the others reuse them (within a
      // half-life) or compute new ones
      long[] times = {NOW, NOW + 5 * HOUR, NOW - 2 * HOUR, NOW + 3 * DAY / 2, NOW + 10 * DAY};
      for (long now : times) {
        for (UserFeatures features : users) {
          SeenSet seen = new SeenSet();
          for (int i = 0; i < 20; i++) seen.addAll(new int[] {random.nextInt(catalog.size())});
          RankingContext ctx =
              new RankingContext(catalog, board, seen, features, now, featureSettings);
          for (Variant variant : settings.variants()) check(ranker, ctx, variant, settings);
        }
      }
    }
  }

  /**
   * A user with no signals of their own walks the neutral order and stops early: the top list must
   * be exactly the full scan's, at the time the order was computed for and at times whose freshness
   * factor has drifted within and beyond the order's tolerance, for the whole pool and one
   * category, with seen and excluded items, and with ties (equal popularity and creation time).
   */
  @Test
  void aNeutralUsersTopListEqualsTheFullScans() {
    for (int seed = 1; seed <= 4; seed++) {
      Random random = new Random(100 + seed);
      CatalogSnapshot catalog = catalog(random, 400 + random.nextInt(400), 2 + random.nextInt(5));
      PopularityBoard board = board(random, catalog);
      RankingSettings settings =
          settings(
              "freshet.ranking.ab.variants = [{ name = a, share = 50 },"
                  + " { name = b, share = 50, weights { trending = 0, freshness = 2.5 } }]\n"
                  + "freshet.ranking.category-weights { cat-1 { freshness = -0.5 } }");
      Ranker ranker = new Ranker(settings);
      UserFeatures impressionsOnly = new UserFeatures();
      impressionsOnly.countImpressions(20, NOW - HOUR, featureSettings);
      long[] times = {NOW, NOW + 1, NOW + 2 * HOUR, NOW - 7 * HOUR, NOW + 9 * DAY, NOW + 9 * DAY};
      for (long now : times) {
        for (UserFeatures features : List.of(new UserFeatures(), impressionsOnly)) {
          SeenSet seen = new SeenSet();
          for (int i = 0; i < 60; i++) seen.addAll(new int[] {random.nextInt(catalog.size())});
          Set<String> exclude = Set.of(catalog.byDenseId(random.nextInt(catalog.size())).id());
          RankingContext ctx =
              new RankingContext(catalog, board, seen, features, now, featureSettings);
          for (Optional<String> category : List.of(Optional.<String>empty(), Optional.of("cat-1")))
            for (Variant variant : settings.variants())
              for (int limit : new int[] {1, 7, 20, 150}) {
                RankingRequest request = new RankingRequest(limit, category, exclude, false);
                int[] pool = catalog.activeInServingOrder(category);
                int[] all = ranker.topScores(ctx, request, variant, pool.length).bestFirst();
                int[] top = ranker.topScores(ctx, request, variant, limit).bestFirst();
                assertThat(top)
                    .as(
                        "seed %d, %s, %s, limit %d at %d",
                        seed, variant.name(), category, limit, now)
                    .containsExactly(Arrays.copyOf(all, Math.min(limit, all.length)));
              }
        }
      }
    }
  }

  /**
   * What makes the early stop exact: at any freshness factor, a neutral user's score of an item is
   * within the order's slack of the score the order was sorted by (the drift the order tolerates
   * before it is sorted anew, and far beyond it).
   */
  @Test
  void theNeutralOrdersSlackBoundsEveryScoreAtAnotherFreshnessFactor() {
    Random random = new Random(7);
    CatalogSnapshot catalog = catalog(random, 500, 4);
    PopularityBoard board = board(random, catalog);
    RankingSettings settings =
        settings(
            "freshet.ranking.category-weights { cat-1 { freshness = -3 }, cat-2 {"
                + " freshness = 4 } }");
    RankingContext ctx =
        new RankingContext(catalog, board, new SeenSet(), new UserFeatures(), NOW, featureSettings);
    SharedTerms shared = SharedTerms.of(ctx, settings.freshnessHalfLifeMillis());
    SharedTerms.ForVariant terms = shared.forVariant(settings.variants().get(0));
    double f0 = shared.freshnessFactor(NOW);
    SharedTerms.ForVariant.NeutralOrder order = terms.neutralOrder(Optional.empty(), f0);
    Ranker.UserSignals user = Ranker.UserSignals.of(ctx, settings, settings.variants().get(0));
    assertThat(user.neutral()).isTrue();
    int[] pool = catalog.activeInServingOrder(Optional.empty());
    for (double drift : new double[] {0, 0.99e-4, -0.99e-4, 0.3, -0.3}) {
      double f = f0 * (1 + drift);
      for (int r = 0; r < order.indexes.length; r++) {
        double score = user.fastScore(shared, terms, f, pool[order.indexes[r]]);
        assertThat(Math.abs(score - order.scores[r])).isLessThanOrEqualTo(order.slack(f));
        if (r > 0) assertThat(order.scores[r]).isLessThanOrEqualTo(order.scores[r - 1]);
      }
    }
    // the slack shrinks to rounding at the factor the order was sorted for
    assertThat(order.slack(f0)).isLessThan(1e-8);
    assertThat(order.slack(f0 * 1.3)).isGreaterThan(0.01);
  }

  /**
   * A neutral order's sort: the highest score first and equal scores in index order, as a
   * comparator over boxed indexes orders them, on scores with many ties, negatives, one score and
   * none.
   */
  @Test
  void bestFirstOrdersByScoreThenIndex() {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int n = trial == 0 ? 0 : random.nextInt(trial < 100 ? 30 : 3_000);
      double[] few = {-2.5, 0, 0.125, 1, 1e-12, Double.MAX_VALUE};
      double[] scores = new double[n];
      for (int i = 0; i < n; i++)
        scores[i] =
            random.nextBoolean() ? few[random.nextInt(few.length)] : random.nextGaussian() * 10;
      Integer[] expected = new Integer[n];
      for (int i = 0; i < n; i++) expected[i] = i;
      Arrays.sort(
          expected, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
      assertThat(SharedTerms.bestFirst(scores))
          .containsExactly(Arrays.stream(expected).mapToInt(i -> i).toArray());
    }
  }

  @Test
  void termsAreComputedOncePerSnapshotAndBoardAndAgainWhenEitherChanges() {
    Random random = new Random(42);
    CatalogSnapshot catalog = catalog(random, 50, 3);
    PopularityBoard board = board(random, catalog);
    RankingContext ctx =
        new RankingContext(catalog, board, new SeenSet(), new UserFeatures(), NOW, featureSettings);
    SharedTerms first = SharedTerms.of(ctx, DAY);
    assertThat(SharedTerms.of(ctx, DAY)).isSameAs(first);
    assertThat(SharedTerms.of(withNow(ctx, NOW + DAY / 2), DAY)).isSameAs(first);
    // another board: new terms, the catalog's part kept
    PopularityBoard next =
        board.merge(
            new PopularityDeltas(Map.of(3, 2.0), Map.of(), NOW), featureSettings.halfLifeMillis());
    SharedTerms second =
        SharedTerms.of(
            new RankingContext(
                catalog, next, new SeenSet(), new UserFeatures(), NOW, featureSettings),
            DAY);
    assertThat(second).isNotSameAs(first);
    assertThat(second.anchor).isEqualTo(NOW);
    // more than a half-life from the anchor: anchored anew
    SharedTerms later =
        SharedTerms.of(
            new RankingContext(
                catalog, next, new SeenSet(), new UserFeatures(), NOW + 2 * DAY, featureSettings),
            DAY);
    assertThat(later.anchor).isEqualTo(NOW + 2 * DAY);
  }

  private static RankingContext withNow(RankingContext ctx, long now) {
    return new RankingContext(
        ctx.catalog(), ctx.popularity(), ctx.seen(), ctx.features(), now, ctx.featureSettings());
  }

  /**
   * The fast scores of the whole pool, and the ranking served, against the direct computation: the
   * same scores within rounding, the same order.
   */
  private void check(Ranker ranker, RankingContext ctx, Variant variant, RankingSettings settings) {
    CatalogSnapshot catalog = ctx.catalog();
    int[] pool = catalog.activeInServingOrder(Optional.empty());
    RankingRequest request = new RankingRequest(pool.length, Optional.empty(), Set.of(), false);
    Ranker.TopScores top = ranker.topScores(ctx, request, variant, pool.length);
    int[] indexes = top.bestFirst();
    double[] scores = top.bestScores();
    List<Integer> expected = new ArrayList<>();
    Map<Integer, Double> reference = new HashMap<>();
    for (int i = 0; i < pool.length; i++) {
      if (ctx.seen().contains(pool[i])) continue;
      expected.add(i);
      reference.put(i, reference(ctx, catalog.byDenseId(pool[i]), variant, settings));
    }
    assertThat(indexes).hasSize(expected.size());
    for (int j = 0; j < indexes.length; j++) {
      double want = reference.get(indexes[j]);
      assertThat(Math.abs(scores[j] - want))
          .as("item %d of variant %s at %d", pool[indexes[j]], variant.name(), ctx.now())
          .isLessThanOrEqualTo(1e-12 * Math.max(1, Math.abs(want)));
    }
    // served: every unseen item, best reference score first (ties in serving order), with the
    // direct scores exactly
    expected.sort(
        Comparator.comparingDouble((Integer i) -> -reference.get(i))
            .thenComparingInt(Integer::intValue));
    Ranking ranking = ranker.rank(ctx, request, "r", variant);
    assertThat(ranking.items().stream().map(RankedItem::id).toList())
        .isEqualTo(expected.stream().map(i -> catalog.byDenseId(pool[i]).id()).toList());
    for (int j = 0; j < expected.size(); j++)
      assertThat(ranking.items().get(j).score()).isEqualTo(reference.get(expected.get(j)));
  }

  /** Ranking settings from HOCON over the defaults. */
  private static RankingSettings settings(String hocon) {
    return RankingSettings.fromConfig(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()));
  }

  // ---- the direct computation ------------------------------------------------------------------

  private double reference(
      RankingContext ctx, Item item, Variant variant, RankingSettings settings) {
    double[] w = variant.weightsFor(item.category());
    double score = 0;
    for (Feature f : Feature.values()) {
      if (w[f.ordinal()] != 0) score += w[f.ordinal()] * feature(ctx, item, f, settings, variant);
    }
    return score;
  }

  private double feature(
      RankingContext ctx, Item item, Feature f, RankingSettings settings, Variant variant) {
    UserFeatures user = ctx.features();
    long now = ctx.now();
    long halfLife = featureSettings.halfLifeMillis();
    Persona persona = user.hasHistory() ? null : user.persona();
    return switch (f) {
      case POPULARITY -> {
        double max =
            maxPopularity.computeIfAbsent(
                ctx.catalog(),
                catalog -> {
                  double m = 0;
                  for (int id : catalog.activeInServingOrder(Optional.empty()))
                    m = Math.max(m, catalog.byDenseId(id).popularity());
                  return m;
                });
        yield max == 0 ? 0 : Math.log1p(item.popularity()) / Math.log1p(max);
      }
      case TRENDING -> {
        double max = ctx.popularity().maxItem();
        yield max == 0 ? 0 : Math.log1p(ctx.popularity().item(item.denseId())) / Math.log1p(max);
      }
      case FRESHNESS ->
          Math.exp(
              -LN2
                  * Math.max(0L, now - item.createdAtMillis())
                  / settings.freshnessHalfLifeMillis());
      case CATEGORY_AFFINITY ->
          persona != null
              ? (persona.categories().contains(item.category()) ? 1.0 : 0.0)
              : user.relativeCategoryAffinity(now, halfLife, settings.affinityScale())
                  .getOrDefault(item.category(), 0.0);
      case TAG_AFFINITY -> {
        if (item.tags().isEmpty()) yield 0.0;
        Map<String, Double> tags =
            user.relativeTagAffinity(now, halfLife, settings.affinityScale());
        double sum = 0;
        for (String tag : item.tags())
          sum +=
              persona != null
                  ? (persona.tags().contains(tag) ? 1.0 : 0.0)
                  : tags.getOrDefault(tag, 0.0);
        yield sum / item.tags().size();
      }
      case VECTOR_SIMILARITY -> {
        float[] v = user.vector();
        if (v == null && persona != null) v = persona.vector();
        yield cosine(unit(v), item.embedding());
      }
      case SESSION_SIMILARITY -> {
        if (!user.session().activeAt(now, featureSettings.sessionGapMillis())) yield 0.0;
        float[] sum = null;
        for (int id : user.session().recentItems()) {
          Item recent = ctx.catalog().byDenseId(id);
          float[] e = recent == null ? null : recent.embedding();
          if (e == null) continue;
          if (sum == null) sum = new float[e.length];
          // the centroid has the first embedding's dimension; others are left out
          if (sum.length != e.length) continue;
          for (int d = 0; d < e.length; d++) sum[d] += e[d];
        }
        yield cosine(unit(sum), item.embedding());
      }
      case INTENT_PENALTY -> {
        Double notInterested = user.notInterestedByCategory(now, halfLife).get(item.category());
        yield notInterested == null ? 0.0 : -Math.tanh(notInterested);
      }
      case CF -> {
        CfScores cf = ctx.cf().forVariant(variant);
        if (!cf.present()) yield 0.0;
        double relative = cf.model().score(cf.user(), item.denseId()) / cf.scale();
        yield Math.max(-1, Math.min(1, relative));
      }
    };
  }

  private static float[] unit(float[] v) {
    if (v == null) return null;
    double norm = 0;
    for (float x : v) norm += x * x;
    if (norm == 0) return null;
    float[] u = new float[v.length];
    for (int d = 0; d < v.length; d++) u[d] = (float) (v[d] * (1 / Math.sqrt(norm)));
    return u;
  }

  private static double cosine(float[] unit, float[] embedding) {
    if (unit == null || embedding == null || unit.length != embedding.length) return 0.0;
    double norm = 0;
    for (float x : embedding) norm += x * x;
    if (norm == 0) return 0.0;
    double dot = 0;
    for (int d = 0; d < unit.length; d++) dot += unit[d] * embedding[d];
    return dot / Math.sqrt(norm);
  }

  // ---- random inputs ---------------------------------------------------------------------------

  /**
   * Items in {@code categories} categories with 0 to 3 of 8 tags, created from 60 days before
   * {@code NOW} to 2 days after it, popularity 0 to 100 (ties included), sparse or dense or no
   * embeddings, a tenth of them inactive.
   */
  private static CatalogSnapshot catalog(Random random, int n, int categories) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> tags = new ArrayList<>();
      for (int t = random.nextInt(4); t > 0; t--) {
        String tag = "t" + random.nextInt(8);
        if (!tags.contains(tag)) tags.add(tag);
      }
      float[] embedding = null;
      if (random.nextInt(5) > 0) {
        embedding = new float[random.nextInt(10) == 0 ? DIM + 1 : DIM];
        boolean dense = random.nextBoolean();
        for (int d = 0; d < embedding.length; d++) {
          if (dense || random.nextInt(3) == 0) embedding[d] = (float) random.nextGaussian();
        }
      }
      items.add(
          new Item(
              "item-" + i,
              i,
              "cat-" + random.nextInt(categories),
              tags,
              NOW - 60 * DAY + (long) (random.nextDouble() * 62 * DAY),
              random.nextInt(10) == 0 ? ItemStatus.ARCHIVED : ItemStatus.ACTIVE,
              random.nextInt(4) == 0 ? 7 : random.nextInt(101),
              embedding,
              "{}"));
    }
    return CatalogSnapshot.empty().withChanges(items, 1);
  }

  private PopularityBoard board(Random random, CatalogSnapshot catalog) {
    Map<Integer, Double> deltas = new HashMap<>();
    for (int i = 0; i < catalog.size() / 3; i++)
      deltas.merge(random.nextInt(catalog.size()), 1.0 + random.nextInt(5), Double::sum);
    return PopularityBoard.empty()
        .merge(
            new PopularityDeltas(deltas, Map.of(), NOW - HOUR), featureSettings.halfLifeMillis());
  }

  /**
   * A cold user, a user with a persona, users with likes, clicks, dislikes and "not interested"
   * (some with an active session at {@code NOW}).
   */
  private List<UserFeatures> users(Random random, CatalogSnapshot catalog) {
    List<UserFeatures> users = new ArrayList<>();
    users.add(new UserFeatures());
    UserFeatures persona = new UserFeatures();
    float[] vector = new float[DIM];
    for (int d = 0; d < DIM; d++) vector[d] = (float) random.nextGaussian();
    persona.setPersona(new Persona(List.of("cat-0"), List.of("t1", "t2"), vector));
    users.add(persona);
    InteractionType[] types = {
      InteractionType.LIKE, InteractionType.CLICK, InteractionType.DISLIKE, InteractionType.SHARE
    };
    for (int u = 0; u < 4; u++) {
      UserFeatures features = new UserFeatures();
      int events = 5 + random.nextInt(40);
      for (int e = 0; e < events; e++) {
        Item item = catalog.byDenseId(random.nextInt(catalog.size()));
        boolean notInterested = random.nextInt(8) == 0;
        long at = u % 2 == 0 ? NOW - (events - e) * 60_000L : NOW - 3 * DAY - e * HOUR;
        features.apply(
            new Interaction(
                item.denseId(),
                notInterested ? InteractionType.DISLIKE : types[random.nextInt(types.length)],
                at,
                notInterested ? "not_interested" : null,
                null,
                null,
                null,
                item.category(),
                item.tags()),
            item.embedding(),
            featureSettings);
      }
      users.add(features);
    }
    return users;
  }
}
