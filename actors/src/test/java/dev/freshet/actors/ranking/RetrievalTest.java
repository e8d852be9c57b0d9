package dev.freshet.actors.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.UserFeatures;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.retrieval.EmbeddedIndexSettings;
import dev.freshet.actors.retrieval.EmbeddedVectorIndex;
import dev.freshet.actors.retrieval.IndexStatus;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.Neighbours;
import dev.freshet.actors.retrieval.VectorIndex;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.SeenSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

/**
 * Candidate retrieval against the full scan on a catalog large enough to retrieve: the same rules
 * (never seen, active only, excluded), a list of the same quality, the sources named, and a ranking
 * whatever the vector index does.
 */
class RetrievalTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final long DAY = 86_400_000L;
  private static final int ITEMS = 12_000, CATEGORIES = 24, DIM = 16;

  private static CatalogSnapshot catalog;
  private static EmbeddedVectorIndex index;
  private static final FeatureSettings features = FeatureSettings.fromConfig(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create();

  @BeforeAll
  static void catalogAndIndex() throws Exception {
    Random random = new Random(11);
    float[][] centroids = new float[CATEGORIES][DIM];
    for (float[] c : centroids) for (int d = 0; d < DIM; d++) c[d] = (float) random.nextGaussian();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      int c = i % CATEGORIES;
      float[] e = new float[DIM];
      for (int d = 0; d < DIM; d++) e[d] = centroids[c][d] + 0.7f * (float) random.nextGaussian();
      // every 50th item archived, every 97th flagged
      ItemStatus status =
          i % 50 == 7 ? ItemStatus.ARCHIVED : i % 97 == 3 ? ItemStatus.FLAGGED : ItemStatus.ACTIVE;
      double popularity = Math.floor(1000 / Math.pow(1 + random.nextDouble() * 99, 1.2));
      items.add(
          new Item(
              "item-" + i,
              i,
              "cat-" + c,
              List.of("t" + (i % 7)),
              NOW - (long) (random.nextDouble() * 30 * DAY),
              status,
              popularity,
              e,
              "{}"));
    }
    catalog = CatalogSnapshot.empty().withChanges(items, 1);
    index = new EmbeddedVectorIndex(EmbeddedIndexSettings.defaults());
    index.changed(items, catalog);
    index.awaitIdle(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() {
    index.close();
    testKit.shutdownTestKit();
  }

  private static RankingSettings settings(String overrides) {
    return RankingSettings.fromConfig(
        ConfigFactory.parseString(overrides + "\nfreshet.ranking.exploration.seed = 5")
            .withFallback(ConfigFactory.load()));
  }

  /** A user who liked items of categories 3 and 8 and has seen the 1,000 most popular items. */
  private static RankingContext heavyUser() {
    UserFeatures f = new UserFeatures();
    for (int i = 0; i < 40; i++) {
      int item = (i % 2 == 0 ? 3 : 8) + CATEGORIES * (i + 10);
      Item it = catalog.byDenseId(item);
      f.apply(
          new Interaction(item, InteractionType.LIKE, NOW - i * 60_000L, null, null, null, null)
              .withItem(it.category(), it.tags()),
          it.embedding(),
          features);
    }
    SeenSet seen = new SeenSet();
    int[] popular = catalog.activeInServingOrder(Optional.empty());
    seen.addAll(java.util.Arrays.copyOf(popular, 1_000));
    return new RankingContext(catalog, PopularityBoard.empty(), seen, f, NOW, features);
  }

  private static RankingRequest request(int k) {
    return new RankingRequest(k, Optional.empty(), Set.of("item-" + (3 + CATEGORIES * 500)), true);
  }

  private static Ranking rank(
      RankingSettings settings, RankingContext ctx, RankingRequest request, VectorLookup lookup) {
    Retrieval retrieval = new Retrieval(settings, lookup);
    Variant variant = settings.variantOf("u");
    Retrieval.Retrieved retrieved =
        retrieval.start(ctx, request, variant).toCompletableFuture().join();
    return new Ranker(settings).rank(ctx, request, "r-1", variant, retrieved);
  }

  private static VectorLookup embedded() {
    return new VectorLookup(Optional.empty(), Optional.of(index), VectorLookup.LookupMetrics.NONE);
  }

  @Test
  void retrievalKeepsTheRulesAndTheFullScansQuality() {
    RankingContext ctx = heavyUser();
    RankingRequest request = request(20);
    Ranking retrieved = rank(settings(""), ctx, request, embedded());
    Ranking full =
        rank(settings("freshet.ranking.retrieval.enabled = off"), ctx, request, embedded());

    assertThat(retrieved.items()).hasSize(20);
    assertThat(retrieved.degraded()).isNull();
    for (RankedItem item : retrieved.items()) {
      Item it = catalog.byId(item.id()).orElseThrow();
      assertThat(it.isActive()).isTrue();
      assertThat(ctx.seen().contains(it.denseId())).isFalse();
      assertThat(request.exclude()).doesNotContain(item.id());
      assertThat(item.sources()).isNotEmpty().doesNotContain("pool");
    }
    assertThat(full.items()).allMatch(i -> i.sources().equals(List.of("pool")));
    // the user's liked categories and vector bring candidates: some come from the vector index
    assertThat(retrieved.items()).anyMatch(i -> i.sources().contains("vector"));
    assertThat(retrieved.items()).anyMatch(i -> i.sources().contains("category"));
    // by score alone (no diversity, no exploration, which reorder whatever candidates they get),
    // retrieval's list is the full scan's, nearly item for item
    String scoreOnly =
        "freshet.ranking.exploration.share = 0\nfreshet.ranking.max-per-category = 1000\n";
    List<String> byScore = ids(rank(settings(scoreOnly), ctx, request, embedded()));
    List<String> fullByScore =
        ids(
            rank(
                settings(scoreOnly + "freshet.ranking.retrieval.enabled = off"),
                ctx,
                request,
                embedded()));
    assertThat(byScore.stream().filter(fullByScore::contains).count()).isGreaterThanOrEqualTo(18);
  }

  private static List<String> ids(Ranking ranking) {
    return ranking.items().stream().map(RankedItem::id).toList();
  }

  @Test
  void aSmallPoolIsScannedWholeAndAUserWithoutHistoryIsStillAnswered() {
    RankingContext visitor =
        new RankingContext(
            catalog, PopularityBoard.empty(), new SeenSet(), new UserFeatures(), NOW, features);
    Ranking ranking = rank(settings(""), visitor, request(10), embedded());
    assertThat(ranking.items()).hasSize(10);
    assertThat(ranking.degraded()).isNull();

    Ranking small =
        rank(
            settings("freshet.ranking.retrieval.min-pool = 1000000"),
            heavyUser(),
            request(10),
            embedded());
    assertThat(small.items()).hasSize(10).allMatch(i -> i.sources().equals(List.of("pool")));
  }

  @Test
  void aCategoryRequestRetrievesOnlyFromThatCategory() {
    RankingSettings settings = settings("freshet.ranking.retrieval.min-pool = 100");
    RankingRequest request = new RankingRequest(8, Optional.of("cat-5"), Set.of(), true);
    Ranking ranking = rank(settings, heavyUser(), request, embedded());
    assertThat(ranking.items()).hasSize(8);
    assertThat(ranking.items())
        .allMatch(i -> catalog.byId(i.id()).orElseThrow().category().equals("cat-5"));
    // a category no item has: answered, with nothing
    RankingRequest unknown = new RankingRequest(8, Optional.of("no-such-cat"), Set.of(), true);
    assertThat(rank(settings, heavyUser(), unknown, embedded()).items()).isEmpty();
  }

  /**
   * A remote index that fails, hangs or answers, as told, behind a circuit breaker with a call
   * timeout, as the Qdrant adapter is.
   */
  private static final class Remote implements VectorIndex {
    volatile String mode = "fail";
    private final CircuitBreaker breaker =
        new CircuitBreaker(
            testKit.system().classicSystem().scheduler(),
            2,
            FiniteDuration.create(200, TimeUnit.MILLISECONDS),
            FiniteDuration.create(300, TimeUnit.MILLISECONDS),
            testKit.system().executionContext());

    @Override
    public String kind() {
      return "qdrant";
    }

    @Override
    public CompletionStage<Neighbours> nearest(NeighbourQuery query) {
      return breaker.callWithCircuitBreakerCS(
          () ->
              switch (mode) {
                case "fail" -> CompletableFuture.failedFuture(new IllegalStateException("down"));
                case "hang" -> new CompletableFuture<>();
                default -> index.nearest(query);
              });
    }

    @Override
    public IndexStatus status() {
      String state = breaker.isOpen() ? "open" : breaker.isHalfOpen() ? "half-open" : "closed";
      return new IndexStatus("qdrant", state, 0, 0, DIM, 0, 0, 0);
    }
  }

  @Test
  void aFailingOrHangingRemoteIndexDegradesToTheEmbeddedOneThenRecovers() throws Exception {
    Remote remote = new Remote();
    List<String> degradedReasons = new ArrayList<>();
    VectorLookup lookup =
        new VectorLookup(
            Optional.of(remote),
            Optional.of(index),
            new VectorLookup.LookupMetrics() {
              @Override
              public void answered(String kind, long nanos) {}

              @Override
              public void failed(String kind, String reason) {}

              @Override
              public void degraded(String reason) {
                degradedReasons.add(reason);
              }
            });
    RankingSettings settings = settings("");
    RankingContext ctx = heavyUser();

    Ranking failed = rank(settings, ctx, request(10), lookup);
    assertThat(failed.items()).hasSize(10);
    assertThat(failed.degraded()).startsWith("qdrant-failed").contains("embedded index");
    assertThat(failed.items()).anyMatch(i -> i.sources().contains("vector"));

    remote.mode = "hang";
    long start = System.nanoTime();
    Ranking hung = rank(settings, ctx, request(10), lookup);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(hung.items()).hasSize(10);
    assertThat(hung.degraded()).startsWith("qdrant-");

    // two failures in a row: the breaker is open and the remote index is not even asked
    Ranking open = rank(settings, ctx, request(10), lookup);
    assertThat(open.degraded()).startsWith("qdrant-circuit-open");
    assertThat(lookup.breakerState()).contains("open");

    remote.mode = "answer";
    // after the reset timeout the breaker lets one call through, which closes it again
    Ranking recovered = rank(settings, ctx, request(10), lookup);
    for (long until = System.nanoTime() + 5_000_000_000L;
        recovered.degraded() != null && System.nanoTime() < until; ) {
      Thread.sleep(50);
      recovered = rank(settings, ctx, request(10), lookup);
    }
    assertThat(recovered.degraded()).isNull();
    assertThat(lookup.breakerState()).contains("closed");
    assertThat(degradedReasons).contains("qdrant-failed", "qdrant-circuit-open");
  }

  @Test
  void whenNoIndexCanAnswerTheRankingStillAnswersAndSaysWhy() {
    VectorIndex building =
        new VectorIndex() {
          @Override
          public String kind() {
            return "embedded";
          }

          @Override
          public CompletionStage<Neighbours> nearest(NeighbourQuery query) {
            return CompletableFuture.failedFuture(
                new dev.freshet.actors.retrieval.IndexUnavailable(
                    "vector index building (9 changes pending)"));
          }

          @Override
          public IndexStatus status() {
            return new IndexStatus("embedded", "building", 0, 9, DIM, 0, 0, 0);
          }
        };
    VectorLookup lookup =
        new VectorLookup(Optional.empty(), Optional.of(building), VectorLookup.LookupMetrics.NONE);
    Ranking ranking = rank(settings(""), heavyUser(), request(10), lookup);
    assertThat(ranking.items()).hasSize(10);
    assertThat(ranking.degraded())
        .isEqualTo("embedded-building: ranked from popularity and the user's state");
    assertThat(ranking.items()).noneMatch(i -> i.sources().contains("vector"));
  }

  /** The embedded index, counting the lookups it answers. */
  private static final class Counting implements VectorIndex {
    final java.util.concurrent.atomic.AtomicInteger lookups =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String kind() {
      return "embedded";
    }

    @Override
    public CompletionStage<Neighbours> nearest(NeighbourQuery query) {
      lookups.incrementAndGet();
      return index.nearest(query);
    }

    @Override
    public IndexStatus status() {
      return index.status();
    }
  }

  @Test
  void aUserWhoRanksAgainUnchangedReusesTheNeighboursUntilMostAreSeen() {
    Counting counting = new Counting();
    VectorLookup lookup =
        new VectorLookup(Optional.empty(), Optional.of(counting), VectorLookup.LookupMetrics.NONE);
    RankingSettings settings = settings("");
    Retrieval retrieval = new Retrieval(settings, lookup);
    Variant variant = settings.variantOf("u");
    RankingContext ctx = heavyUser();
    RankingRequest request = request(20);

    Retrieval.Retrieved first = retrieval.start(ctx, request, variant).toCompletableFuture().join();
    // per ranking: the user vector's neighbours, and the session's if it is still active
    int per = counting.lookups.get();
    assertThat(per).isBetween(1, 2);
    assertThat(first.user().size()).isEqualTo(60);
    Retrieval.Retrieved again = retrieval.start(ctx, request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per);
    assertThat(again).isSameAs(first);

    // another request (an exclusion more), another lookup
    RankingRequest other =
        new RankingRequest(20, Optional.empty(), java.util.Set.of("item-5"), true);
    retrieval.start(ctx, other, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per * 2);
    retrieval.start(ctx, request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per * 3);

    // the user saw a quarter of the neighbours: still reused; then more than a quarter: looked up
    // (the user vector's neighbours the session's list does not also hold, so each counts once)
    java.util.Set<Integer> ofSession = new java.util.HashSet<>();
    for (int id : first.session().denseIds()) ofSession.add(id);
    int[] neighbours =
        java.util.Arrays.stream(first.user().denseIds())
            .filter(id -> !ofSession.contains(id))
            .toArray();
    int quarter = (first.user().size() + first.session().size()) / 4;
    assertThat(neighbours.length).isGreaterThan(quarter);
    SeenSet seen = new SeenSet();
    seen.addAll(ctx.seen().toArray());
    seen.addAll(java.util.Arrays.copyOf(neighbours, quarter));
    RankingContext sawQuarter = withSeen(ctx, seen);
    Retrieval.Retrieved reused =
        retrieval.start(sawQuarter, request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per * 3);
    // what the ranking serves never includes what the user saw since
    Ranking ranking = new Ranker(settings).rank(sawQuarter, request, "r-2", variant, reused);
    for (RankedItem item : ranking.items())
      assertThat(sawQuarter.seen().contains(catalog.byId(item.id()).orElseThrow().denseId()))
          .isFalse();
    seen.addAll(java.util.Arrays.copyOf(neighbours, quarter + 1));
    Retrieval.Retrieved fresh =
        retrieval.start(withSeen(ctx, seen), request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per * 4);
    assertThat(fresh.user().denseIds())
        .doesNotContain(java.util.Arrays.copyOf(neighbours, quarter + 1));

    // later than reuse-neighbours: looked up again
    RankingContext later =
        new RankingContext(
            catalog,
            PopularityBoard.empty(),
            seen,
            ctx.features(),
            NOW + settings.retrieval().reuseNeighboursMillis() + 1,
            features);
    retrieval.start(later, request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per * 5);

    // the user's vector moved (a new interaction): looked up again
    RankingContext moved = heavyUser();
    Item liked = catalog.byDenseId(5 + CATEGORIES * 30);
    moved
        .features()
        .apply(
            new Interaction(liked.denseId(), InteractionType.LIKE, NOW, null, null, null, null)
                .withItem(liked.category(), liked.tags()),
            liked.embedding(),
            features);
    retrieval.start(moved, request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(per * 6);

    // with reuse off, every ranking looks up
    Retrieval never =
        new Retrieval(settings("freshet.ranking.retrieval.reuse-neighbours = 0s"), lookup);
    int before = counting.lookups.get();
    never.start(ctx, request, variant).toCompletableFuture().join();
    never.start(ctx, request, variant).toCompletableFuture().join();
    assertThat(counting.lookups.get()).isEqualTo(before + 2 * per);
  }

  private static RankingContext withSeen(RankingContext ctx, SeenSet seen) {
    return new RankingContext(
        ctx.catalog(), ctx.popularity(), seen, ctx.features(), ctx.now(), ctx.featureSettings());
  }
}
