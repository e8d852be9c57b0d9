package dev.freshet.actors.catalog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    this(byId, byDense, version, null, List.of());
  }

  /**
   * With {@code previous} (the snapshot {@code changes} were applied to), the orders are merged
   * instead of sorted again: the unchanged items keep their relative order, so the previous orders
   * without the changed items, merged with the changed active items sorted, are the full sort's
   * (every order ends in the dense id, so it is total). That is O(n) per change instead of O(n log
   * n): a profile of a 200,000-item import spent 60 % of the refreshes in the two sorts and 20 % in
   * the per-category orders. Categories no change touches keep their arrays.
   */
  private CatalogSnapshot(
      Map<String, Item> byId,
      Item[] byDense,
      long version,
      CatalogSnapshot previous,
      Collection<Item> changes) {
    this.byId = byId;
    this.byDense = byDense;
    this.version = version;
    List<Item> activeItems = new ArrayList<>();
    RoaringBitmap bitmap = new RoaringBitmap();
    double max = 0;
    for (Item item : byId.values()) {
      if (item.isActive()) {
        if (previous == null) activeItems.add(item); // sorted below; a merge needs no list
        bitmap.add(item.denseId());
        max = Math.max(max, item.popularity());
      }
    }
    bitmap.runOptimize();
    this.active = bitmap;
    if (previous == null) {
      activeItems.sort(SERVING_ORDER);
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
    } else {
      Merge merge = new Merge(previous, byDense, changes);
      this.activeInServingOrder =
          merge.order(
              previous.activeInServingOrder, merge.added(null, SERVING_ORDER), SERVING_ORDER);
      this.activeNewestFirst =
          merge.order(previous.activeNewestFirst, merge.added(null, NEWEST_FIRST), NEWEST_FIRST);
      this.activeInServingOrderByCategory =
          merge.byCategory(previous.activeInServingOrderByCategory, SERVING_ORDER);
      this.activeNewestFirstByCategory =
          merge.byCategory(previous.activeNewestFirstByCategory, NEWEST_FIRST);
      Map<String, RoaringBitmap> bitmaps = new HashMap<>();
      activeInServingOrderByCategory.forEach(
          (category, ids) ->
              bitmaps.put(
                  category,
                  merge.touched(category)
                      ? RoaringBitmap.bitmapOf(ids)
                      : previous.activeByCategory.get(category)));
      this.activeByCategory = Map.copyOf(bitmaps);
    }
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
      return newVersion > version
          ? new CatalogSnapshot(byId, byDense, newVersion, this, List.of())
          : this;
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
    // a change of a large share of the catalog is sorted afresh; merging would save little
    CatalogSnapshot previous = changes.size() * 4L > byId.size() ? null : this;
    return new CatalogSnapshot(
        Collections.unmodifiableMap(ids),
        dense,
        Math.max(version, newVersion),
        previous,
        previous == null ? List.of() : changes);
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

  /**
   * Orders of a new snapshot from those of the one its changes were applied to: the previous order
   * without the changed items, merged with the changed items that are active now, in order.
   */
  private static final class Merge {
    private final CatalogSnapshot previous;
    private final RoaringBitmap changed = new RoaringBitmap();
    private final List<Item> changedActive = new ArrayList<>();
    private final Set<String> touched = new HashSet<>();
    private final Map<Comparator<Item>, List<Item>> sorted = new HashMap<>();

    Merge(CatalogSnapshot previous, Item[] byDense, Collection<Item> changes) {
      this.previous = previous;
      for (Item change : changes) {
        int id = change.denseId();
        if (!changed.checkedAdd(id)) continue;
        Item before = previous.byDenseId(id);
        if (before != null) touched.add(before.category());
        Item now = byDense[id]; // the last change of this item
        touched.add(now.category());
        if (now.isActive()) changedActive.add(now);
      }
    }

    boolean touched(String category) {
      return touched.contains(category);
    }

    /** The changed active items (of {@code category}, or all with null), in {@code order}. */
    List<Item> added(String category, Comparator<Item> order) {
      List<Item> all =
          sorted.computeIfAbsent(
              order,
              o -> {
                List<Item> items = new ArrayList<>(changedActive);
                items.sort(o);
                return items;
              });
      if (category == null) return all;
      List<Item> out = new ArrayList<>();
      for (Item item : all) if (item.category().equals(category)) out.add(item);
      return out;
    }

    /**
     * {@code previous} without the changed items, with {@code added} inserted where a binary search
     * of the previous order (by the previous snapshot's items, which it is sorted by) puts them: a
     * few comparisons per added item and one pass of copying, instead of a comparison per item.
     */
    int[] order(int[] before, List<Item> added, Comparator<Item> order) {
      int[] at = new int[added.size()];
      for (int a = 0; a < at.length; a++) {
        Item item = added.get(a);
        int lo = 0, hi = before.length;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (order.compare(item, previous.byDenseId(before[mid])) > 0) lo = mid + 1;
          else hi = mid;
        }
        at[a] = lo;
      }
      int[] out = new int[before.length + added.size()];
      int n = 0, a = 0;
      for (int i = 0; i < before.length; i++) {
        while (a < at.length && at[a] <= i) out[n++] = added.get(a++).denseId();
        if (!changed.contains(before[i])) out[n++] = before[i];
      }
      while (a < at.length) out[n++] = added.get(a++).denseId();
      return n == out.length ? out : Arrays.copyOf(out, n);
    }

    Map<String, int[]> byCategory(Map<String, int[]> before, Comparator<Item> order) {
      Map<String, int[]> out = new HashMap<>();
      before.forEach(
          (category, ids) -> {
            if (!touched.contains(category)) out.put(category, ids);
          });
      for (String category : touched) {
        int[] merged =
            order(before.getOrDefault(category, new int[0]), added(category, order), order);
        if (merged.length > 0) out.put(category, merged);
      }
      return Map.copyOf(out);
    }
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
