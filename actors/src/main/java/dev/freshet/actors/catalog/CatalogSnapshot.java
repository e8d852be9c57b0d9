package dev.freshet.actors.catalog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.roaringbitmap.RoaringBitmap;

/**
 * An immutable, node-local view of the whole catalog, swapped atomically when changes arrive.
 * Lookups by string id and by dense id are O(1); the active pool is kept both as a bitmap (for
 * coverage arithmetic against a user's seen set) and as dense ids in serving order (popularity,
 * then recency) so that top-k ranking is a scan that stops after k unseen items.
 */
public final class CatalogSnapshot {

  /** Serving order: most popular first, newer first among equally popular, then by dense id. */
  static final Comparator<Item> SERVING_ORDER =
      Comparator.comparingDouble(Item::popularity)
          .reversed()
          .thenComparing(Comparator.comparingLong(Item::createdAtMillis).reversed())
          .thenComparingInt(Item::denseId);

  static final Comparator<Item> NEWEST_FIRST =
      Comparator.comparingLong(Item::createdAtMillis).reversed().thenComparingInt(Item::denseId);

  private static final CatalogSnapshot EMPTY = new CatalogSnapshot(Map.of(), new Item[0], 0L);

  private final Map<String, Item> byId;
  private final Item[] byDense;
  private final long version;
  private final RoaringBitmap active;
  private final int[] activeInServingOrder;
  private final Map<String, int[]> activeInServingOrderByCategory;
  private final Map<String, RoaringBitmap> activeByCategory;
  private final int[] activeNewestFirst;
  private final Map<String, int[]> activeNewestFirstByCategory;
  private final double maxPopularity;

  /**
   * Per dense id: log1p(popularity) / log1p(max popularity), and the embedding's length (0 if
   * none).
   */
  private final double[] popularityScore;

  private final double[] embeddingNorm;

  /**
   * Categories and tags as small ints, so that ranking looks a user's affinities up in arrays
   * instead of hashing strings for every candidate: per dense id its category index and tag
   * indexes.
   */
  private final Map<String, Integer> categoryIndex;

  private final Map<String, Integer> tagIndex;
  private final String[] categoryNames;
  private final int[] itemCategory;
  private final int[][] itemTags;

  /**
   * What ranking derives from this snapshot for every user (its user-independent score terms), kept
   * here so that it lives exactly as long as the snapshot; opaque to the catalog.
   */
  private volatile Object rankingTerms;

  private CatalogSnapshot(Map<String, Item> byId, Item[] byDense, long version) {
    this.byId = byId;
    this.byDense = byDense;
    this.version = version;
    List<Item> activeItems = new ArrayList<>();
    RoaringBitmap bitmap = new RoaringBitmap();
    double max = 0;
    for (Item item : byId.values()) {
      if (item.isActive()) {
        activeItems.add(item);
        bitmap.add(item.denseId());
        max = Math.max(max, item.popularity());
      }
    }
    bitmap.runOptimize();
    activeItems.sort(SERVING_ORDER);
    this.active = bitmap;
    this.activeInServingOrder = denseIds(activeItems);
    this.activeInServingOrderByCategory = byCategory(activeItems);
    Map<String, RoaringBitmap> bitmaps = new HashMap<>();
    activeInServingOrderByCategory.forEach(
        (category, ids) -> bitmaps.put(category, RoaringBitmap.bitmapOf(ids)));
    this.activeByCategory = Map.copyOf(bitmaps);
    List<Item> newest = new ArrayList<>(activeItems);
    newest.sort(NEWEST_FIRST);
    this.activeNewestFirst = denseIds(newest);
    this.activeNewestFirstByCategory = byCategory(newest);
    this.maxPopularity = max;
    // computed once per catalog change so that ranking does not take a logarithm or a square root
    // per candidate
    this.popularityScore = new double[byDense.length];
    this.embeddingNorm = new double[byDense.length];
    Map<String, Integer> categories = new HashMap<>();
    Map<String, Integer> tags = new HashMap<>();
    this.itemCategory = new int[byDense.length];
    this.itemTags = new int[byDense.length][];
    double logMax = Math.log1p(max);
    for (Item item : byDense) {
      if (item == null) continue;
      itemCategory[item.denseId()] =
          categories.computeIfAbsent(item.category(), c -> categories.size());
      int[] tagIds = new int[item.tags().size()];
      for (int t = 0; t < tagIds.length; t++)
        tagIds[t] = tags.computeIfAbsent(item.tags().get(t), x -> tags.size());
      itemTags[item.denseId()] = tagIds;
      popularityScore[item.denseId()] = logMax == 0 ? 0 : Math.log1p(item.popularity()) / logMax;
      if (item.embedding() != null) {
        double sum = 0;
        for (float x : item.embedding()) sum += x * x;
        embeddingNorm[item.denseId()] = Math.sqrt(sum);
      }
    }
    this.categoryIndex = Map.copyOf(categories);
    this.categoryNames = new String[categories.size()];
    categories.forEach((name, index) -> categoryNames[index] = name);
    this.tagIndex = Map.copyOf(tags);
  }

  public static CatalogSnapshot empty() {
    return EMPTY;
  }

  /** A new snapshot with the given items added or replaced; this one is left untouched. */
  public CatalogSnapshot withChanges(Collection<Item> changes, long newVersion) {
    if (changes.isEmpty()) {
      return newVersion > version ? new CatalogSnapshot(byId, byDense, newVersion) : this;
    }
    Map<String, Item> ids = new HashMap<>(byId);
    int maxDense = byDense.length - 1;
    for (Item item : changes) {
      ids.put(item.id(), item);
      maxDense = Math.max(maxDense, item.denseId());
    }
    Item[] dense = Arrays.copyOf(byDense, maxDense + 1);
    for (Item item : changes) {
      dense[item.denseId()] = item;
    }
    // a HashMap, not Map.copyOf: the immutable map's linear probing showed up in ingest profiles
    return new CatalogSnapshot(
        Collections.unmodifiableMap(ids), dense, Math.max(version, newVersion));
  }

  public Optional<Item> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The item with this dense id, or {@code null}. */
  public Item byDenseId(int denseId) {
    return denseId >= 0 && denseId < byDense.length ? byDense[denseId] : null;
  }

  /** Highest store version this snapshot contains. */
  public long version() {
    return version;
  }

  public int size() {
    return byId.size();
  }

  public int activeCount() {
    return active.getCardinality();
  }

  /** Active dense ids; shared, never to be mutated. */
  public RoaringBitmap activeBitmap() {
    return active;
  }

  /**
   * Active dense ids per category (categories without an active item absent); shared, never to be
   * mutated.
   */
  public Map<String, RoaringBitmap> activeBitmapsByCategory() {
    return activeByCategory;
  }

  /**
   * One past the highest dense id: items created later get ids from here on, so the active ids at
   * or above an earlier bound are the items added since (unseen by everyone).
   */
  public int denseIdBound() {
    return byDense.length;
  }

  /** Active dense ids in serving order, optionally of one category; shared, never to be mutated. */
  public int[] activeInServingOrder(Optional<String> category) {
    return category
        .map(c -> activeInServingOrderByCategory.getOrDefault(c, new int[0]))
        .orElse(activeInServingOrder);
  }

  /** Active dense ids, newest first, optionally of one category; shared, never to be mutated. */
  public int[] activeNewestFirst(Optional<String> category) {
    return category
        .map(c -> activeNewestFirstByCategory.getOrDefault(c, new int[0]))
        .orElse(activeNewestFirst);
  }

  /** The item's catalog popularity, log-scaled to [0, 1] against the most popular active item. */
  public double popularityScore(int denseId) {
    return popularityScore[denseId];
  }

  /** The index of a category (for arrays of per-category values), or -1 if no item has it. */
  public int categoryIndex(String category) {
    return categoryIndex.getOrDefault(category, -1);
  }

  /** The index of a tag, or -1 if no item has it. */
  public int tagIndex(String tag) {
    return tagIndex.getOrDefault(tag, -1);
  }

  /** The category of this index (see {@link #categoryIndex}). */
  public String categoryName(int index) {
    return categoryNames[index];
  }

  public int categoryCount() {
    return categoryIndex.size();
  }

  public int tagCount() {
    return tagIndex.size();
  }

  /** The category index of the item with this dense id. */
  public int categoryOf(int denseId) {
    return itemCategory[denseId];
  }

  /** The tag indexes of the item with this dense id; shared, never to be mutated. */
  public int[] tagsOf(int denseId) {
    return itemTags[denseId];
  }

  /** The length of the item's embedding, 0 when it has none. */
  public double embeddingNorm(int denseId) {
    return embeddingNorm[denseId];
  }

  public double maxPopularity() {
    return maxPopularity;
  }

  /** What ranking last cached on this snapshot, or {@code null}. */
  public Object rankingTerms() {
    return rankingTerms;
  }

  /** Caches what ranking derived from this snapshot, replacing what it cached before. */
  public void rankingTerms(Object terms) {
    this.rankingTerms = terms;
  }

  /** Dense ids per category, keeping the order of {@code items}. */
  private static Map<String, int[]> byCategory(List<Item> items) {
    Map<String, List<Item>> grouped = new HashMap<>();
    for (Item item : items)
      grouped.computeIfAbsent(item.category(), c -> new ArrayList<>()).add(item);
    Map<String, int[]> ids = new HashMap<>();
    grouped.forEach((category, members) -> ids.put(category, denseIds(members)));
    return Map.copyOf(ids);
  }

  private static int[] denseIds(List<Item> items) {
    int[] ids = new int[items.size()];
    for (int i = 0; i < ids.length; i++) ids[i] = items.get(i).denseId();
    return ids;
  }
}
