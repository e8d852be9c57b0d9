package dev.freshet.actors.ranking;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code freshet.ranking}: feature weights (global, per category, per A/B variant), the re-ranking
 * rules (diversity, pinned slots, exploration), the A/B split with an optional shadow variant, and
 * candidate retrieval for large pools.
 */
public record RankingSettings(
    long freshnessHalfLifeMillis,
    double affinityScale,
    int maxPerCategory,
    double explorationShare,
    OptionalLong explorationSeed,
    List<Pin> pinned,
    String abSalt,
    List<Variant> variants,
    Optional<Variant> shadow,
    RetrievalSettings retrieval) {

  /** An item placed at a fixed position (1-based) whenever it is eligible for the user. */
  public record Pin(String itemId, int position, String reason) {}

  public static RankingSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.ranking");
    double[] weights = weights(c.getConfig("weights"), new double[Feature.count()]);
    ConfigObject categoryWeights = c.getObject("category-weights");
    List<Variant> variants = new ArrayList<>();
    for (Config v : c.getConfigList("ab.variants"))
      variants.add(variant(v, weights, categoryWeights));
    int total = variants.stream().mapToInt(Variant::share).sum();
    if (variants.isEmpty() || total != 100) {
      throw new IllegalArgumentException(
          "freshet.ranking.ab.variants must have shares adding up to 100, not " + total);
    }
    Optional<Variant> shadow =
        c.hasPath("ab.shadow")
            ? Optional.of(variant(c.getConfig("ab.shadow"), weights, categoryWeights))
            : Optional.empty();
    List<Pin> pins = new ArrayList<>();
    for (Config p : c.getConfigList("pinned")) {
      pins.add(
          new Pin(
              p.getString("item"),
              p.getInt("position"),
              p.hasPath("reason") ? p.getString("reason") : "pinned"));
    }
    return new RankingSettings(
        c.getDuration("freshness-half-life").toMillis(),
        c.getDouble("affinity-scale"),
        c.getInt("max-per-category"),
        c.getDouble("exploration.share"),
        c.hasPath("exploration.seed")
            ? OptionalLong.of(c.getLong("exploration.seed"))
            : OptionalLong.empty(),
        List.copyOf(pins),
        c.getString("ab.salt"),
        List.copyOf(variants),
        shadow,
        RetrievalSettings.from(c.getConfig("retrieval")));
  }

  /**
   * A variant's weights are the global ones with its own overrides; its category overrides (its
   * own, or else the global ones) apply on top of its weights.
   */
  private static Variant variant(Config v, double[] weights, ConfigObject categoryWeights) {
    double[] own = v.hasPath("weights") ? weights(v.getConfig("weights"), weights) : weights;
    ConfigObject perCategory =
        v.hasPath("category-weights") ? v.getObject("category-weights") : categoryWeights;
    return new Variant(
        v.getString("name"),
        v.hasPath("share") ? v.getInt("share") : 0,
        own,
        categoryWeights(perCategory, own),
        !v.hasPath("retrieval") || v.getBoolean("retrieval"),
        v.hasPath("model") ? Optional.of(modelVersion(v)) : Optional.empty());
  }

  private static long modelVersion(Config v) {
    long version = v.getLong("model");
    if (version <= 0)
      throw new IllegalArgumentException(
          "freshet.ranking.ab variant " + v.getString("name") + ": model must be a version >= 1");
    return version;
  }

  /** {@code base} with the features named in {@code c} replaced. */
  private static double[] weights(Config c, double[] base) {
    double[] w = base.clone();
    for (String feature : c.root().keySet())
      w[Feature.named(feature).ordinal()] = c.getDouble(feature);
    return w;
  }

  private static Map<String, double[]> categoryWeights(ConfigObject perCategory, double[] base) {
    Map<String, double[]> out = new HashMap<>();
    for (String category : perCategory.keySet()) {
      out.put(category, weights(perCategory.toConfig().getConfig("\"" + category + "\""), base));
    }
    return out;
  }

  /** The model versions variants (the shadow included) pin, in order, each once. */
  public List<Long> pinnedModels() {
    List<Variant> all = new ArrayList<>(variants);
    shadow.ifPresent(all::add);
    return all.stream().flatMap(v -> v.model().stream()).distinct().toList();
  }

  /** The variant or shadow variant of this name. */
  public Optional<Variant> variantNamed(String name) {
    for (Variant v : variants) if (v.name().equals(name)) return Optional.of(v);
    return shadow.filter(v -> v.name().equals(name));
  }

  /** The served variant of a user: a stable hash of salt and user id into 100 buckets. */
  public Variant variantOf(String userId) {
    int bucket = Math.floorMod(murmur(abSalt + ":" + userId), 100);
    int upTo = 0;
    for (Variant v : variants) {
      upTo += v.share();
      if (bucket < upTo) return v;
    }
    return variants.get(variants.size() - 1);
  }

  /**
   * 32-bit FNV-1a then a murmur3 finalizer: stable across JVMs and releases, unlike
   * String.hashCode's spread.
   */
  static int murmur(String s) {
    int h = 0x811c9dc5;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
