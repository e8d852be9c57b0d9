package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Persona;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Ranks the active items a user has not seen: each candidate's score is a weighted sum of normalised
 * features (the weights of the user's variant, or of the item's category), then the re-ranking rules
 * apply: pinned slots, at most {@code max-per-category} items of one category, and a share of slots
 * for under-exposed items (exploration). Pure: tests call it without an ActorSystem.
 */
public final class Ranker {

  public static final String REASON_EXPLORATION = "exploration";

  private final RankingSettings settings;

  public Ranker(RankingSettings settings) {
    this.settings = settings;
  }

  /** One scored candidate: dense id, score and the features it was computed from. */
  record Scored(Item item, double score, double[] features, double[] weights) {}

  public Ranking rank(RankingContext ctx, RankingRequest request, String rankingId, Variant variant) {
    List<Scored> candidates = score(ctx, request, variant);
    candidates.sort((a, b) -> Double.compare(b.score(), a.score()));
    int k = request.k();
    RankedItem[] slots = new RankedItem[k];
    Set<Integer> used = new HashSet<>();
    Map<String, Integer> perCategory = new HashMap<>();

    for (RankingSettings.Pin pin : settings.pinned()) {
      int at = pin.position() - 1;
      if (at < 0 || at >= k || slots[at] != null) continue;
      candidates.stream()
          .filter(s -> s.item().id().equals(pin.itemId()))
          .findFirst()
          .ifPresent(s -> {
            slots[at] = ranked(s, at + 1, pin.reason(), request.explain());
            used.add(s.item().denseId());
            perCategory.merge(s.item().category(), 1, Integer::sum);
          });
    }

    int explorationSlots = (int) Math.floor(k * settings.explorationShare());
    List<Scored> explorers =
        underExposed(ctx, candidates, used, rankingId, explorationSlots, Math.min(candidates.size(), k));
    for (int j = 0; j < explorers.size(); j++) {
      int at = freeSlotNear(slots, (int) Math.round((j + 1) * (double) k / (explorers.size() + 1)) - 1);
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
      numbered.add(new RankedItem(r.id(), r.score(), i + 1, r.reason(), r.explain()));
    }
    return new Ranking(rankingId, variant.name(), List.copyOf(numbered));
  }

  // ---- scoring ---------------------------------------------------------------------------------

  private List<Scored> score(RankingContext ctx, RankingRequest request, Variant variant) {
    CatalogSnapshot catalog = ctx.catalog();
    int[] pool = catalog.activeInServingOrder(request.category());
    UserSignals user = UserSignals.of(ctx, settings);
    List<Scored> out = new ArrayList<>(pool.length);
    for (int denseId : pool) {
      if (ctx.seen().contains(denseId)) continue;
      Item item = catalog.byDenseId(denseId);
      if (request.exclude().contains(item.id())) continue;
      double[] f = user.features(item);
      double[] w = variant.weightsFor(item.category());
      double score = 0;
      for (int i = 0; i < f.length; i++) score += w[i] * f[i];
      out.add(new Scored(item, score, f, w));
    }
    return out;
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
   * Bandit-style exploration: items outside the top k that nobody has interacted with lately, drawn at
   * random (seeded by the ranking id, so a ranking can be reproduced) from the better-scored half of them.
   */
  private List<Scored> underExposed(
      RankingContext ctx, List<Scored> sorted, Set<Integer> used, String rankingId, int slots, int exploitCount) {
    if (slots <= 0) return List.of();
    // only items that would not make the list on their score: exploring the best ones would just
    // move them to other positions
    List<Scored> pool = new ArrayList<>();
    for (int i = exploitCount; i < sorted.size(); i++) {
      Scored s = sorted.get(i);
      if (!used.contains(s.item().denseId()) && ctx.popularity().item(s.item().denseId()) == 0.0) pool.add(s);
    }
    if (pool.size() <= slots) return pool;
    // keep the explored items the user might plausibly like: the better half of the under-exposed
    List<Scored> half = new ArrayList<>(pool.subList(0, Math.max(slots, pool.size() / 2)));
    Random random = new Random(rankingId.hashCode());
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
    String personal = strongest(s, List.of(Features.CATEGORY_AFFINITY, Features.TAG_AFFINITY, Features.VECTOR_SIMILARITY, Features.SESSION_SIMILARITY));
    if (personal != null && contribution(s, personal) >= PERSONAL_REASON_THRESHOLD) {
      return switch (personal) {
        case Features.VECTOR_SIMILARITY -> "similar";
        case Features.SESSION_SIMILARITY -> "session";
        default -> "affinity";
      };
    }
    String general = strongest(s, List.of(Features.POPULARITY, Features.TRENDING, Features.FRESHNESS));
    return Features.FRESHNESS.equals(general) ? "fresh" : "popular";
  }

  private static String strongest(Scored s, List<String> features) {
    String best = null;
    double bestContribution = 0;
    for (String feature : features) {
      double c = contribution(s, feature);
      if (c > bestContribution) {
        bestContribution = c;
        best = feature;
      }
    }
    return best;
  }

  private static double contribution(Scored s, String feature) {
    int i = Features.index(feature);
    return s.weights()[i] * s.features()[i];
  }

  private static RankedItem ranked(Scored s, int position, String reason, boolean explain) {
    Map<String, Double> contributions = Map.of();
    if (explain) {
      contributions = new LinkedHashMap<>();
      for (int i = 0; i < s.features().length; i++) {
        if (s.weights()[i] != 0) contributions.put(Features.ALL.get(i), s.weights()[i] * s.features()[i]);
      }
    }
    return new RankedItem(s.item().id(), s.score(), position, reason, contributions);
  }

  // ---- the user's side of the features, computed once per ranking -----------------------------

  /** Per-ranking constants: the user's vector and session centroid, and the normalisers. */
  record UserSignals(
      RankingContext ctx,
      RankingSettings settings,
      float[] userVector,
      float[] sessionCentroid,
      double logMaxPopularity,
      double logMaxTrending,
      double categoryScale,
      double tagScale,
      Persona persona) {

    /**
     * Affinities are normalised against the user's own strongest one (but never by less than
     * {@code affinity-scale}): a heavy user's favourite genre and a new user's single click both
     * count as a clear preference, and the order among a user's tastes is kept rather than saturated.
     */
    static UserSignals of(RankingContext ctx, RankingSettings settings) {
      long halfLife = ctx.featureSettings().halfLifeMillis();
      // a persona speaks for a user only until the user's own behaviour does
      Persona persona = ctx.features().hasHistory() ? null : ctx.features().persona();
      float[] vector = ctx.features().vector();
      if (vector == null && persona != null) vector = persona.vector();
      return new UserSignals(
          ctx,
          settings,
          vector,
          sessionCentroid(ctx),
          Math.log1p(ctx.catalog().maxPopularity()),
          Math.log1p(ctx.popularity().maxItem()),
          Math.max(settings.affinityScale(), ctx.features().maxCategoryAffinity(ctx.now(), halfLife)),
          Math.max(settings.affinityScale(), ctx.features().maxTagAffinity(ctx.now(), halfLife)),
          persona);
    }

    double[] features(Item item) {
      double[] f = new double[Features.ALL.size()];
      long halfLife = ctx.featureSettings().halfLifeMillis();
      f[0] = logMaxPopularity == 0 ? 0 : Math.log1p(item.popularity()) / logMaxPopularity;
      f[1] = logMaxTrending == 0 ? 0 : Math.log1p(ctx.popularity().item(item.denseId())) / logMaxTrending;
      f[2] = dev.freshet.actors.features.Decay.factor(item.createdAtMillis(), ctx.now(), settings.freshnessHalfLifeMillis());
      if (persona != null) {
        // cold start: the persona's categories and tags stand for the affinities the user has not shown yet
        f[3] = persona.categories().contains(item.category()) ? 1.0 : 0.0;
        if (!item.tags().isEmpty()) {
          f[4] = item.tags().stream().filter(persona.tags()::contains).count() / (double) item.tags().size();
        }
      } else {
        f[3] = ctx.features().categoryAffinity(item.category(), ctx.now(), halfLife) / categoryScale;
        if (!item.tags().isEmpty()) {
          double sum = 0;
          for (String tag : item.tags()) sum += ctx.features().tagAffinity(tag, ctx.now(), halfLife);
          f[4] = sum / item.tags().size() / tagScale;
        }
      }
      f[5] = cosine(userVector, item.embedding());
      f[6] = cosine(sessionCentroid, item.embedding());
      f[7] = -Math.tanh(ctx.features().notInterested(item.category(), ctx.now(), halfLife));
      return f;
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

    static double cosine(float[] a, float[] b) {
      if (a == null || b == null || a.length != b.length) return 0.0;
      double dot = 0, na = 0, nb = 0;
      for (int i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
      }
      return na == 0 || nb == 0 ? 0.0 : dot / Math.sqrt(na * nb);
    }
  }
}
