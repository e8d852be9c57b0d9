package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.features.PushedVector;
import dev.freshet.actors.features.UserFeatures;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;
import org.roaringbitmap.IntConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * Ranks the active items a user has not seen: each candidate's score is a weighted sum of
 * normalised features (the weights of the user's variant, or of the item's category), then the
 * re-ranking rules apply: pinned slots, at most {@code max-per-category} items of one category, and
 * a share of slots for under-exposed items (exploration). Pure: tests call it without an
 * ActorSystem.
 */
public final class Ranker {

  public static final String REASON_EXPLORATION = "exploration";

  private final RankingSettings settings;

  public Ranker(RankingSettings settings) {
    this.settings = settings;
  }

  /**
   * One scored candidate: dense id, score, the features it was computed from, and the sources that
   * proposed it (a mask of {@link CandidateSource} bits).
   */
  record Scored(Item item, double score, double[] features, double[] weights, int sources) {}

  /** Ranks by scoring every unseen item of the pool. */
  public Ranking rank(
      RankingContext ctx, RankingRequest request, String rankingId, Variant variant) {
    return rank(ctx, request, rankingId, variant, Retrieval.Retrieved.FULL_SCAN);
  }

  /**
   * Ranks the candidates {@code retrieved} stands for: the whole pool, or the union of the
   * retrieval sources with the vector neighbours found ({@link Retrieval#start}).
   */
  public Ranking rank(
      RankingContext ctx,
      RankingRequest request,
      String rankingId,
      Variant variant,
      Retrieval.Retrieved retrieved) {
    int k = request.k();
    if (!variant.retrieval()) retrieved = Retrieval.Retrieved.FULL_SCAN;
    // enough candidates for the diversity rule and exploration to choose from
    List<Scored> candidates =
        score(
            ctx,
            request,
            variant,
            k * 10 + 100,
            retrieved,
            () -> explorationSeed(ctx, request, rankingId, variant));
    candidates.sort((a, b) -> Double.compare(b.score(), a.score()));
    RankedItem[] slots = new RankedItem[k];
    Set<Integer> used = new HashSet<>();
    Map<String, Integer> perCategory = new HashMap<>();

    // a replay serves what the user has seen: no sponsored slots, nothing to explore
    for (RankingSettings.Pin pin :
        request.replay() ? List.<RankingSettings.Pin>of() : settings.pinned()) {
      int at = pin.position() - 1;
      if (at < 0 || at >= k || slots[at] != null) continue;
      candidates.stream()
          .filter(s -> s.item().id().equals(pin.itemId()))
          .findFirst()
          .ifPresent(
              s -> {
                slots[at] = ranked(s, at + 1, pin.reason(), request.explain());
                used.add(s.item().denseId());
                perCategory.merge(s.item().category(), 1, Integer::sum);
              });
    }

    int explorationSlots = request.replay() ? 0 : (int) Math.floor(k * settings.explorationShare());
    long seed = explorationSlots > 0 ? explorationSeed(ctx, request, rankingId, variant) : 0;
    List<Scored> explorers =
        underExposed(ctx, candidates, used, seed, explorationSlots, Math.min(candidates.size(), k));
    for (int j = 0; j < explorers.size(); j++) {
      int at =
          freeSlotNear(slots, (int) Math.round((j + 1) * (double) k / (explorers.size() + 1)) - 1);
      Scored s = explorers.get(j);
      slots[at] = ranked(s, at + 1, REASON_EXPLORATION, request.explain());
      used.add(s.item().denseId());
      perCategory.merge(s.item().category(), 1, Integer::sum);
    }

    fillDiversified(slots, candidates, used, perCategory, request.explain());
    List<RankedItem> items = new ArrayList<>(k);
    for (RankedItem slot : slots) if (slot != null) items.add(slot);
    // slots left empty (a small pool) close up, so positions stay 1..n
    List<RankedItem> numbered = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      RankedItem r = items.get(i);
      numbered.add(new RankedItem(r.id(), r.score(), i + 1, r.reason(), r.explain(), r.sources()));
    }
    return new Ranking(
        rankingId, variant.name(), List.copyOf(numbered), retrieved.degraded().orElse(null));
  }

  // ---- scoring ---------------------------------------------------------------------------------

  /**
   * Scores every eligible candidate in a primitive loop (no allocation per candidate) and keeps the
   * best {@code limit} in a min-heap; only those become {@link Scored} objects with their features,
   * computed again directly (so the scores served are those of {@link UserSignals#scored}). Pinned
   * items are scored too wherever they would rank, so that they can take their slots.
   */
  private List<Scored> score(
      RankingContext ctx,
      RankingRequest request,
      Variant variant,
      int limit,
      Retrieval.Retrieved retrieved,
      LongSupplier seed) {
    CatalogSnapshot catalog = ctx.catalog();
    UserSignals user = UserSignals.of(ctx, settings, variant);
    RoaringBitmap excluded = excluded(catalog, request);
    boolean wantSeen = request.replay();
    TopList top = topScores(ctx, request, variant, limit, user, excluded, retrieved, seed);
    List<Scored> out = new ArrayList<>(top.scores().size());
    Set<Integer> kept = new HashSet<>();
    for (int index : top.scores().bestFirst()) {
      int denseId = top.pool()[index];
      out.add(user.scored(catalog.byDenseId(denseId), variant, top.sourcesOf(denseId)));
      kept.add(denseId);
    }
    for (RankingSettings.Pin pin : wantSeen ? List.<RankingSettings.Pin>of() : settings.pinned()) {
      catalog
          .byId(pin.itemId())
          .filter(item -> item.isActive() && !kept.contains(item.denseId()))
          .filter(
              item -> !ctx.seen().contains(item.denseId()) && !excluded.contains(item.denseId()))
          .filter(item -> request.category().map(item.category()::equals).orElse(true))
          .ifPresent(item -> out.add(user.scored(item, variant, CandidateSource.PINNED.bit())));
    }
    return out;
  }

  /**
   * The best candidates as indexes into {@code pool}; {@code candidates} says which sources
   * proposed each, or is null when the whole pool was scored.
   */
  private record TopList(TopScores scores, int[] pool, Candidates candidates) {
    int sourcesOf(int denseId) {
      return candidates == null ? CandidateSource.POOL.bit() : candidates.sourcesOf(denseId);
    }
  }

  static RoaringBitmap excluded(CatalogSnapshot catalog, RankingRequest request) {
    RoaringBitmap excluded = new RoaringBitmap();
    for (String id : request.exclude())
      catalog.byId(id).ifPresent(item -> excluded.add(item.denseId()));
    return excluded;
  }

  /** The best {@code limit} of the request's pool by {@link UserSignals#fastScore}. */
  TopScores topScores(RankingContext ctx, RankingRequest request, Variant variant, int limit) {
    return topScores(
            ctx,
            request,
            variant,
            limit,
            UserSignals.of(ctx, settings, variant),
            excluded(ctx.catalog(), request),
            Retrieval.Retrieved.FULL_SCAN,
            () -> 0L)
        .scores();
  }

  private TopList topScores(
      RankingContext ctx,
      RankingRequest request,
      Variant variant,
      int limit,
      UserSignals user,
      RoaringBitmap excluded,
      Retrieval.Retrieved retrieved,
      LongSupplier seed) {
    int[] pool = ctx.catalog().activeInServingOrder(request.category());
    // the user-independent terms, computed once per catalog and popularity board for every user
    SharedTerms shared = SharedTerms.of(ctx, settings.freshnessHalfLifeMillis());
    SharedTerms.ForVariant terms = shared.forVariant(variant);
    double freshnessFactor = shared.freshnessFactor(ctx.now());
    // flat bit sets for the per-candidate test: cheaper than the compressed bitmap's look-up
    BitSet seen = new BitSet();
    for (int id : ctx.seen().toArray()) seen.set(id);
    BitSet skip = new BitSet();
    excluded.forEach((IntConsumer) skip::set);
    boolean wantSeen = request.replay();
    TopScores top = new TopScores(limit);
    if (!wantSeen && user.neutral()) {
      // no terms of the user's own: walk the pool best neutral score first and stop once the rest
      // cannot reach the top list (the same list and scores as the full scan below)
      SharedTerms.ForVariant.NeutralOrder order =
          terms.neutralOrder(request.category(), freshnessFactor);
      double slack = order.slack(freshnessFactor);
      for (int r = 0; r < order.indexes.length; r++) {
        if (top.isFull() && order.scores[r] + slack < top.worst()) break;
        int i = order.indexes[r];
        int denseId = pool[i];
        if (seen.get(denseId) || skip.get(denseId)) continue;
        top.offer(user.fastScore(shared, terms, freshnessFactor, denseId), i);
      }
      return new TopList(top, pool, null);
    }
    if (!wantSeen && !retrieved.fullScan()) {
      // a large pool: score the retrieved candidates only, ranked by the whole pool's serving order
      // on equal scores as the full scan would
      Candidates candidates =
          Candidates.collect(
              ctx,
              request,
              settings.retrieval(),
              terms,
              freshnessFactor,
              user,
              seen,
              skip,
              retrieved,
              seed.getAsLong());
      for (int denseId : candidates.ids())
        top.offer(
            user.fastScore(shared, terms, freshnessFactor, denseId), shared.servingRank(denseId));
      return new TopList(top, ctx.catalog().activeInServingOrder(Optional.empty()), candidates);
    }
    for (int i = 0; i < pool.length; i++) {
      int denseId = pool[i];
      if (seen.get(denseId) != wantSeen || skip.get(denseId)) continue;
      top.offer(user.fastScore(shared, terms, freshnessFactor, denseId), i);
    }
    return new TopList(top, pool, null);
  }

  /**
   * The {@code limit} best candidates offered so far, as indexes into the pool: a min-heap on
   * primitive arrays. Equal scores keep the pool's serving order (popularity, then recency).
   */
  static final class TopScores {
    private final double[] scores;
    private final int[] indexes;
    private int size;

    TopScores(int limit) {
      scores = new double[Math.max(1, limit)];
      indexes = new int[Math.max(1, limit)];
    }

    /** Offers a candidate; in any order, equal scores keep the lower index. */
    void offer(double score, int index) {
      if (size < scores.length) {
        scores[size] = score;
        indexes[size] = index;
        siftUp(size++);
      } else if (score > scores[0] || (score == scores[0] && index < indexes[0])) {
        scores[0] = score;
        indexes[0] = index;
        siftDown(0);
      }
    }

    int size() {
      return size;
    }

    boolean isFull() {
      return size == scores.length;
    }

    /** The lowest score kept (the one the next better candidate replaces). */
    double worst() {
      return scores[0];
    }

    /** The kept indexes, best score first, equal scores in index order. */
    int[] bestFirst() {
      return sorted().indexes;
    }

    /** The kept scores in the order of {@link #bestFirst}. */
    double[] bestScores() {
      return sorted().scores;
    }

    /**
     * A heap sort of a copy: the worst kept slot is the root, so popping it repeatedly fills the
     * copy from the back (no boxing, unlike a sort with a comparator; this ran for every ranking).
     */
    private Sorted sorted() {
      TopScores heap = new TopScores(size);
      System.arraycopy(scores, 0, heap.scores, 0, size);
      System.arraycopy(indexes, 0, heap.indexes, 0, size);
      heap.size = size;
      Sorted out = new Sorted(new int[size], new double[size]);
      for (int at = size - 1; at >= 0; at--) {
        out.scores[at] = heap.scores[0];
        out.indexes[at] = heap.indexes[0];
        heap.swap(0, --heap.size);
        heap.siftDown(0);
      }
      return out;
    }

    private record Sorted(int[] indexes, double[] scores) {}

    /** Slot a ranks below slot b: a lower score, or the same score later in serving order. */
    private boolean worse(int a, int b) {
      return scores[a] < scores[b] || (scores[a] == scores[b] && indexes[a] > indexes[b]);
    }

    private void siftUp(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (!worse(i, parent)) return;
        swap(i, parent);
        i = parent;
      }
    }

    private void siftDown(int i) {
      while (true) {
        int l = 2 * i + 1, r = l + 1, worst = i;
        if (l < size && worse(l, worst)) worst = l;
        if (r < size && worse(r, worst)) worst = r;
        if (worst == i) return;
        swap(i, worst);
        i = worst;
      }
    }

    private void swap(int a, int b) {
      double s = scores[a];
      scores[a] = scores[b];
      scores[b] = s;
      int index = indexes[a];
      indexes[a] = indexes[b];
      indexes[b] = index;
    }
  }

  // ---- re-ranking ------------------------------------------------------------------------------

  /**
   * Fills the free slots best-first while keeping at most {@code max-per-category} of one category;
   * when the rule cannot be kept (too few categories left), the best of the rest fill up.
   */
  private void fillDiversified(
      RankedItem[] slots,
      List<Scored> sorted,
      Set<Integer> used,
      Map<String, Integer> perCategory,
      boolean explain) {
    List<Scored> leftOver = new ArrayList<>();
    int next = 0;
    for (Scored s : sorted) {
      if (used.contains(s.item().denseId())) continue;
      next = nextFree(slots, next);
      if (next < 0) return;
      int inCategory = perCategory.getOrDefault(s.item().category(), 0);
      if (inCategory >= settings.maxPerCategory()) {
        leftOver.add(s);
        continue;
      }
      perCategory.put(s.item().category(), inCategory + 1);
      slots[next] = ranked(s, next + 1, reasonOf(s), explain);
      used.add(s.item().denseId());
    }
    for (Scored s : leftOver) {
      next = nextFree(slots, next);
      if (next < 0) return;
      slots[next] = ranked(s, next + 1, reasonOf(s), explain);
    }
  }

  /**
   * The seed of a ranking's exploration draw: its ranking id, so that a ranking can be reproduced.
   * With {@code exploration.seed} set, that seed and what the ranking is made of (the user's seen
   * set, the request, the variant) instead: ranking ids are random, and tests need the same draw in
   * every run.
   */
  private long explorationSeed(
      RankingContext ctx, RankingRequest request, String rankingId, Variant variant) {
    if (settings.explorationSeed().isEmpty()) return rankingId.hashCode();
    return Objects.hash(
        settings.explorationSeed().getAsLong(),
        ctx.seen(),
        request.k(),
        request.category(),
        request.exclude(),
        variant.name());
  }

  /**
   * Bandit-style exploration: items outside the top k that nobody has interacted with lately, drawn
   * at random (from {@code seed}) from the better-scored half of them.
   */
  private List<Scored> underExposed(
      RankingContext ctx,
      List<Scored> sorted,
      Set<Integer> used,
      long seed,
      int slots,
      int exploitCount) {
    if (slots <= 0) return List.of();
    // only items that would not make the list on their score: exploring the best ones would just
    // move them to other positions
    List<Scored> pool = new ArrayList<>();
    for (int i = exploitCount; i < sorted.size(); i++) {
      Scored s = sorted.get(i);
      if (!used.contains(s.item().denseId()) && ctx.popularity().item(s.item().denseId()) == 0.0)
        pool.add(s);
    }
    if (pool.size() <= slots) return pool;
    // keep the explored items the user might plausibly like: the better half of the under-exposed
    List<Scored> half = new ArrayList<>(pool.subList(0, Math.max(slots, pool.size() / 2)));
    Random random = new Random(seed);
    List<Scored> picked = new ArrayList<>(slots);
    for (int i = 0; i < slots; i++) picked.add(half.remove(random.nextInt(half.size())));
    return picked;
  }

  private static int freeSlotNear(RankedItem[] slots, int wanted) {
    for (int d = 0; d < slots.length; d++) {
      if (wanted + d < slots.length && slots[wanted + d] == null) return wanted + d;
      if (wanted - d >= 0 && slots[wanted - d] == null) return wanted - d;
    }
    throw new IllegalStateException("no free slot");
  }

  private static int nextFree(RankedItem[] slots, int from) {
    for (int i = from; i < slots.length; i++) if (slots[i] == null) return i;
    return -1;
  }

  /** A personal feature contributing at least this much is named as the reason. */
  static final double PERSONAL_REASON_THRESHOLD = 0.1;

  /**
   * The reason shown for an item: the user's own taste (affinity, similarity, session) when it
   * contributed noticeably, because that is what a person wants to know ("because you like …");
   * otherwise whichever of popularity and freshness contributed most.
   */
  private static String reasonOf(Scored s) {
    Feature personal =
        strongest(
            s,
            List.of(
                Feature.CATEGORY_AFFINITY,
                Feature.TAG_AFFINITY,
                Feature.VECTOR_SIMILARITY,
                Feature.SESSION_SIMILARITY,
                Feature.CF));
    if (personal != null && contribution(s, personal) >= PERSONAL_REASON_THRESHOLD) {
      return switch (personal) {
        case VECTOR_SIMILARITY -> "similar";
        case SESSION_SIMILARITY -> "session";
        case CF -> "others-like-you";
        default -> "affinity";
      };
    }
    Feature general =
        strongest(s, List.of(Feature.POPULARITY, Feature.TRENDING, Feature.FRESHNESS));
    return general == Feature.FRESHNESS ? "fresh" : "popular";
  }

  private static Feature strongest(Scored s, List<Feature> features) {
    Feature best = null;
    double bestContribution = 0;
    for (Feature feature : features) {
      double c = contribution(s, feature);
      if (c > bestContribution) {
        bestContribution = c;
        best = feature;
      }
    }
    return best;
  }

  private static double contribution(Scored s, Feature feature) {
    int i = feature.ordinal();
    return s.weights()[i] * s.features()[i];
  }

  private static RankedItem ranked(Scored s, int position, String reason, boolean explain) {
    Map<String, Double> contributions = Map.of();
    if (explain) {
      contributions = new LinkedHashMap<>();
      for (int i = 0; i < s.features().length; i++) {
        if (s.weights()[i] != 0)
          contributions.put(Feature.at(i).key(), s.weights()[i] * s.features()[i]);
      }
    }
    return new RankedItem(
        s.item().id(),
        s.score(),
        position,
        reason,
        contributions,
        explain ? CandidateSource.keys(s.sources()) : List.of());
  }

  // ---- the user's side of the features, computed once per ranking -----------------------------

  /**
   * Per-ranking constants, so that a candidate costs a few look-ups and two short dot products: the
   * user's affinities relative to their strongest (or the persona's while the user has no history),
   * the unit user vector and session centroid.
   */
  record UserSignals(
      RankingContext ctx,
      RankingSettings settings,
      float[] userVector,
      float[] sessionCentroid,
      double[] categoryAffinity,
      double[] tagAffinity,
      double[] intentPenalty,
      CfScores cf) {

    /**
     * Affinities are normalised against the user's own strongest one (but never by less than {@code
     * affinity-scale}): a heavy user's favourite genre and a new user's single click both count as
     * a clear preference, and the order among a user's tastes is kept rather than saturated. While
     * the user has no history, a persona's categories and tags count as full affinity. All are laid
     * out by the catalog's category and tag indexes.
     */
    static UserSignals of(RankingContext ctx, RankingSettings settings, Variant variant) {
      long halfLife = ctx.featureSettings().halfLifeMillis();
      UserFeatures features = ctx.features();
      CatalogSnapshot catalog = ctx.catalog();
      Persona persona = personaInUse(features);
      double[] categories = new double[catalog.categoryCount()];
      double[] tags = new double[catalog.tagCount()];
      double[] penalties = new double[catalog.categoryCount()];
      if (persona != null) {
        persona.categories().forEach(c -> put(categories, catalog.categoryIndex(c), 1.0));
        persona.tags().forEach(t -> put(tags, catalog.tagIndex(t), 1.0));
      } else {
        features
            .relativeCategoryAffinity(ctx.now(), halfLife, settings.affinityScale())
            .forEach((c, v) -> put(categories, catalog.categoryIndex(c), v));
        features
            .relativeTagAffinity(ctx.now(), halfLife, settings.affinityScale())
            .forEach((t, v) -> put(tags, catalog.tagIndex(t), v));
      }
      features
          .notInterestedByCategory(ctx.now(), halfLife)
          .forEach((c, v) -> put(penalties, catalog.categoryIndex(c), -Math.tanh(v)));
      return new UserSignals(
          ctx,
          settings,
          userVector(ctx),
          sessionVector(ctx),
          categories,
          tags,
          penalties,
          ctx.cf().forVariant(variant));
    }

    /** A persona speaks for a user only until the user's own behaviour does. */
    private static Persona personaInUse(UserFeatures features) {
      return features.hasHistory() ? null : features.persona();
    }

    /**
     * The unit user vector; null without one. The mean of what the user engaged with, and a vector
     * an outside model pushed for the user count equally: with both, it is the unit sum of the two
     * unit vectors, so neither the live behaviour nor the model's longer view is lost. With
     * neither, the persona's while the user has no history.
     */
    static float[] userVector(RankingContext ctx) {
      float[] own = unit(ctx.features().vector());
      PushedVector pushed = ctx.features().pushed();
      float[] outside = pushed == null ? null : unit(pushed.vector());
      if (own != null && outside != null && own.length == outside.length) {
        float[] sum = new float[own.length];
        for (int d = 0; d < sum.length; d++) sum[d] = own[d] + outside[d];
        // opposite vectors cancel out: then neither speaks
        return unit(sum);
      }
      if (outside != null) return outside;
      if (own != null) return own;
      Persona persona = personaInUse(ctx.features());
      return persona == null ? null : unit(persona.vector());
    }

    /** The unit centroid of the current session's items; null without an active session. */
    static float[] sessionVector(RankingContext ctx) {
      return unit(sessionCentroid(ctx));
    }

    /**
     * No term of the user's own can be non-zero: no affinity, penalty, vector, session or CF vector
     * (e.g. a user with impressions only).
     */
    boolean neutral() {
      return userVector == null
          && sessionCentroid == null
          && !cf.present()
          && allZero(categoryAffinity)
          && allZero(tagAffinity)
          && allZero(intentPenalty);
    }

    private static boolean allZero(double[] values) {
      for (double v : values) if (v != 0) return false;
      return true;
    }

    private static void put(double[] values, int index, double value) {
      if (index >= 0) values[index] = value;
    }

    /**
     * {@link #scored}'s sum from the shared terms: the same sums in the same order, the
     * user-independent ones read from arrays (freshness within rounding of the direct formula, see
     * {@link SharedTerms}). Relies on the features' order: popularity and trending, freshness, then
     * the user's own.
     */
    double fastScore(
        SharedTerms shared, SharedTerms.ForVariant terms, double freshnessFactor, int id) {
      int category = ctx.catalog().categoryOf(id);
      double[] w = terms.weights(category);
      double score = terms.popular(id);
      if (w[FRESHNESS] != 0) score += w[FRESHNESS] * shared.freshness(id, freshnessFactor);
      if (w[CATEGORY_AFFINITY] != 0) score += w[CATEGORY_AFFINITY] * categoryAffinity[category];
      if (w[TAG_AFFINITY] != 0) score += w[TAG_AFFINITY] * tags(id);
      if (w[VECTOR_SIMILARITY] != 0) score += w[VECTOR_SIMILARITY] * shared.cosine(userVector, id);
      if (w[SESSION_SIMILARITY] != 0)
        score += w[SESSION_SIMILARITY] * shared.cosine(sessionCentroid, id);
      if (w[INTENT_PENALTY] != 0) score += w[INTENT_PENALTY] * intentPenalty[category];
      if (w[CF] != 0) score += w[CF] * cf.score(id);
      return score;
    }

    private static final int FRESHNESS = Feature.FRESHNESS.ordinal(),
        CATEGORY_AFFINITY = Feature.CATEGORY_AFFINITY.ordinal(),
        TAG_AFFINITY = Feature.TAG_AFFINITY.ordinal(),
        VECTOR_SIMILARITY = Feature.VECTOR_SIMILARITY.ordinal(),
        SESSION_SIMILARITY = Feature.SESSION_SIMILARITY.ordinal(),
        INTENT_PENALTY = Feature.INTENT_PENALTY.ordinal(),
        CF = Feature.CF.ordinal();

    Scored scored(Item item, Variant variant, int sources) {
      double[] w = variant.weightsFor(item.category());
      double[] f = new double[w.length];
      // the weighted sum of the features in their order (fastScore adds the same terms the same
      // way)
      double score = 0;
      for (int i = 0; i < w.length; i++) {
        if (w[i] == 0) continue;
        f[i] = feature(Feature.at(i), item);
        score += w[i] * f[i];
      }
      return new Scored(item, score, f, w, sources);
    }

    double feature(Feature feature, Item item) {
      int id = item.denseId();
      return switch (feature) {
        case POPULARITY -> ctx.catalog().popularityScore(id);
        case TRENDING -> ctx.popularity().score(id);
        case FRESHNESS ->
            Math.exp(
                -LN2
                    * Math.max(0L, ctx.now() - item.createdAtMillis())
                    / settings.freshnessHalfLifeMillis());
        case CATEGORY_AFFINITY -> categoryAffinity[ctx.catalog().categoryOf(id)];
        case TAG_AFFINITY -> tags(id);
        case VECTOR_SIMILARITY ->
            cosine(userVector, item.embedding(), ctx.catalog().embeddingNorm(id));
        case SESSION_SIMILARITY ->
            cosine(sessionCentroid, item.embedding(), ctx.catalog().embeddingNorm(id));
        case INTENT_PENALTY -> intentPenalty[ctx.catalog().categoryOf(id)];
        case CF -> cf.score(id);
      };
    }

    private double tags(int denseId) {
      int[] itemTags = ctx.catalog().tagsOf(denseId);
      if (itemTags.length == 0) return 0.0;
      double sum = 0;
      for (int tag : itemTags) sum += tagAffinity[tag];
      return sum / itemTags.length;
    }

    private static float[] sessionCentroid(RankingContext ctx) {
      var session = ctx.features().session();
      if (!session.activeAt(ctx.now(), ctx.featureSettings().sessionGapMillis())) return null;
      float[] sum = null;
      for (int id : session.recentItems()) {
        Item item = ctx.catalog().byDenseId(id);
        if (item == null || item.embedding() == null) continue;
        if (sum == null) sum = new float[item.embedding().length];
        if (sum.length != item.embedding().length) continue;
        for (int d = 0; d < sum.length; d++) sum[d] += item.embedding()[d];
      }
      return sum;
    }

    private static float[] unit(float[] v) {
      if (v == null) return null;
      double norm = 0;
      for (float x : v) norm += x * x;
      if (norm == 0) return null;
      float[] u = new float[v.length];
      double inverse = 1 / Math.sqrt(norm);
      for (int d = 0; d < v.length; d++) u[d] = (float) (v[d] * inverse);
      return u;
    }

    /** Cosine of a unit vector and an item embedding of known length. */
    static double cosine(float[] unit, float[] embedding, double embeddingNorm) {
      if (unit == null
          || embedding == null
          || unit.length != embedding.length
          || embeddingNorm == 0) return 0.0;
      double dot = 0;
      for (int i = 0; i < unit.length; i++) dot += unit[i] * embedding[i];
      return dot / embeddingNorm;
    }
  }

  private static final double LN2 = Math.log(2);
}
