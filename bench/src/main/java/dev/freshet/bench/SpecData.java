package dev.freshet.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The data of the {@code rank-spec} setup, and the request bodies that carry it within the API's
 * limits. Pure and deterministic: the same seed, pool, prefixes and {@code nowMillis} give the same
 * bytes. Every item and every user has its own random stream, so any item or user can be generated
 * on its own.
 *
 * <ul>
 *   <li>Catalog: items {@code <itemPrefix>0 … <itemPrefix>(pool-1)}, each in one of {@value
 *       #CATEGORIES} categories (uniform), with 2–3 tags from a pool of {@value #TAGS} (the first
 *       one one of its category's two own tags), a long-tailed (Pareto) popularity, a creation time
 *       in the last 30 days and a unit {@value #DIMENSION}-d embedding near its category's centre.
 *   <li>User {@code <userPrefix>u}: {@code seen} distinct random items (sent as impressions), 2–3
 *       preferred categories, and {@code interactions} events: clicks, likes and dwells on its seen
 *       items of the preferred categories, and one skip with intent {@code not_interested} on a
 *       seen item of another category. The events are on seen items only, so they do not change the
 *       number of seen items.
 * </ul>
 */
final class SpecData {

  static final int CATEGORIES = 20;
  static final int TAGS = 40;
  static final int DIMENSION = 16;

  /** API limits (shared/API.md, http reference.conf). */
  static final int MAX_ITEMS_PER_REQUEST = 1_000;

  static final int MAX_CATALOG_BODY_BYTES = 8 * 1024 * 1024;
  static final int MAX_IDS_PER_REQUEST = 1_000;
  static final int MAX_EVENTS_PER_REQUEST = 1_000;
  static final int MAX_INGEST_BODY_BYTES = 64 * 1024;

  static final String NOT_INTERESTED = "not_interested";

  /**
   * Spread of each embedding component around the category centre (cosine to the centre about 0.9).
   */
  private static final double EMBEDDING_NOISE = 0.12;

  /** Pareto shape of the popularity: the top 20 % of the items hold most of it. */
  private static final double POPULARITY_ALPHA = 1.16;

  private static final double POPULARITY_MAX = 1_000_000;
  private static final long MAX_AGE_MILLIS = TimeUnit.DAYS.toMillis(30);
  private static final long MIN_DWELL_MILLIS = 15_000;
  private static final long MAX_DWELL_MILLIS = 120_000;

  private static final long STREAM_ITEM = 1;
  private static final long STREAM_CENTRE = 2;
  private static final long STREAM_USER = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One catalog item; field names are the API's. */
  record Item(
      String id,
      String category,
      List<String> tags,
      double popularity,
      float[] embedding,
      long createdAt) {}

  /** One {@code POST /v1/events} event; field names are the API's, absent fields are left out. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Event(String type, String userId, String itemId, Long value, String intent) {}

  /** What the setup sends for one user. */
  record UserPlan(
      String userId,
      List<String> seenItemIds,
      List<String> preferredCategories,
      List<Event> events) {}

  private final long seed;
  private final int pool;
  private final String itemPrefix;
  private final String userPrefix;
  private final long nowMillis;
  private final int[] categoryOf;
  private final float[][] centres;

  SpecData(long seed, int pool, String itemPrefix, String userPrefix, long nowMillis) {
    if (pool < 1) {
      throw new IllegalArgumentException("pool must be positive");
    }
    this.seed = seed;
    this.pool = pool;
    this.itemPrefix = itemPrefix;
    this.userPrefix = userPrefix;
    this.nowMillis = nowMillis;
    this.centres = new float[CATEGORIES][];
    for (int c = 0; c < CATEGORIES; c++) {
      SplittableRandom random = new SplittableRandom(hash(seed, STREAM_CENTRE, c));
      double[] v = new double[DIMENSION];
      for (int d = 0; d < DIMENSION; d++) {
        v[d] = random.nextGaussian();
      }
      centres[c] = unit(v);
    }
    this.categoryOf = new int[pool];
    for (int i = 0; i < pool; i++) {
      categoryOf[i] = itemRandom(i).nextInt(CATEGORIES); // the first draw of item(i)
    }
  }

  int pool() {
    return pool;
  }

  static String category(int c) {
    return String.format(Locale.ROOT, "cat-%02d", c);
  }

  static String tag(int t) {
    return "tag-" + t;
  }

  String itemId(int i) {
    return itemPrefix + i;
  }

  String userId(int u) {
    return userPrefix + u;
  }

  int categoryIndexOf(int item) {
    return categoryOf[item];
  }

  float[] centre(int category) {
    return centres[category].clone();
  }

  /** Item {@code i} of the catalog (0 ≤ i < pool). */
  Item item(int i) {
    SplittableRandom random = itemRandom(i);
    int c = random.nextInt(CATEGORIES);
    if (c != categoryOf[i]) {
      throw new IllegalStateException("category draw out of step for item " + i);
    }
    List<String> tags = new ArrayList<>(3);
    tags.add(tag((2 * c + random.nextInt(2)) % TAGS)); // one of the category's own two tags
    int extra = 1 + random.nextInt(2);
    while (tags.size() < 1 + extra) {
      String t = tag(random.nextInt(TAGS));
      if (!tags.contains(t)) {
        tags.add(t);
      }
    }
    double u = random.nextDouble(); // [0, 1)
    double popularity = Math.min(POPULARITY_MAX, Math.pow(1 - u, -1 / POPULARITY_ALPHA));
    popularity = Math.round(popularity * 1000) / 1000.0;
    double[] v = new double[DIMENSION];
    for (int d = 0; d < DIMENSION; d++) {
      v[d] = centres[c][d] + EMBEDDING_NOISE * random.nextGaussian();
    }
    long createdAt = nowMillis - random.nextLong(MAX_AGE_MILLIS);
    return new Item(itemId(i), category(c), List.copyOf(tags), popularity, unit(v), createdAt);
  }

  /** The seen items, preferred categories and warm-up events of user {@code u}. */
  UserPlan user(int u, int seen, int interactions) {
    if (seen < 1 || seen > pool) {
      throw new IllegalArgumentException("seen must be in 1.." + pool + ", got " + seen);
    }
    SplittableRandom random = new SplittableRandom(hash(seed, STREAM_USER, u));
    String userId = userId(u);
    int[] seenItems = IngestWorkload.pickDistinct(random, pool, seen);
    int[] preferred = IngestWorkload.pickDistinct(random, CATEGORIES, 2 + random.nextInt(2));
    boolean[] isPreferred = new boolean[CATEGORIES];
    List<String> preferredNames = new ArrayList<>();
    for (int c : preferred) {
      isPreferred[c] = true;
      preferredNames.add(category(c));
    }
    List<Integer> liked = new ArrayList<>();
    List<Integer> others = new ArrayList<>();
    for (int i : seenItems) {
      (isPreferred[categoryOf[i]] ? liked : others).add(i);
    }
    if (liked.isEmpty()) { // only with very few seen items
      for (int i : seenItems) {
        liked.add(i);
      }
    }
    List<Event> events = new ArrayList<>(interactions);
    int positives = Math.max(0, interactions - 1);
    int[] picks =
        positives <= liked.size()
            ? IngestWorkload.pickDistinct(random, liked.size(), positives)
            : random.ints(positives, 0, liked.size()).toArray();
    for (int p : picks) {
      String itemId = itemId(liked.get(p));
      int roll = random.nextInt(10);
      if (roll < 5) {
        events.add(new Event("click", userId, itemId, null, null));
      } else if (roll < 7) {
        events.add(new Event("like", userId, itemId, null, null));
      } else {
        long dwell = MIN_DWELL_MILLIS + random.nextLong(MAX_DWELL_MILLIS - MIN_DWELL_MILLIS + 1);
        events.add(new Event("dwell", userId, itemId, dwell, null));
      }
    }
    if (interactions > 0) {
      List<Integer> from = others.isEmpty() ? liked : others;
      events.add(
          new Event(
              "skip", userId, itemId(from.get(random.nextInt(from.size()))), null, NOT_INTERESTED));
    }
    List<String> seenIds = new ArrayList<>(seen);
    for (int i : seenItems) {
      seenIds.add(itemId(i));
    }
    return new UserPlan(
        userId, List.copyOf(seenIds), List.copyOf(preferredNames), List.copyOf(events));
  }

  /** {@code POST /v1/items} bodies for items {@code from} (inclusive) to {@code to} (exclusive). */
  List<byte[]> itemBodies(int from, int to) {
    List<byte[]> elements = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      elements.add(json(item(i)));
    }
    return pack("{\"items\":[", elements, "]}", MAX_ITEMS_PER_REQUEST, MAX_CATALOG_BODY_BYTES);
  }

  /**
   * {@code POST /v1/impressions} bodies of one user's seen items: 1,000 ids a body, fewer if 64 KiB
   * needs it.
   */
  static List<byte[]> impressionBodies(String userId, List<String> itemIds) {
    List<byte[]> elements = new ArrayList<>(itemIds.size());
    for (String id : itemIds) {
      elements.add(json(id));
    }
    return pack(
        "{\"userId\":" + new String(json(userId), StandardCharsets.UTF_8) + ",\"itemIds\":[",
        elements,
        "]}",
        MAX_IDS_PER_REQUEST,
        MAX_INGEST_BODY_BYTES);
  }

  /**
   * {@code POST /v1/events} bodies: up to 1,000 events (of any users) a body, fewer if 64 KiB needs
   * it.
   */
  static List<byte[]> eventBodies(List<Event> events) {
    List<byte[]> elements = new ArrayList<>(events.size());
    for (Event e : events) {
      elements.add(json(e));
    }
    return pack("{\"events\":[", elements, "]}", MAX_EVENTS_PER_REQUEST, MAX_INGEST_BODY_BYTES);
  }

  /**
   * Packs JSON array elements, in order, into as few bodies {@code prefix e1,e2,… suffix} as the
   * limits allow: at most {@code maxCount} elements and {@code maxBytes} bytes each.
   *
   * @throws IllegalArgumentException if one element alone does not fit
   */
  static List<byte[]> pack(
      String prefix, List<byte[]> elements, String suffix, int maxCount, int maxBytes) {
    byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] tail = suffix.getBytes(StandardCharsets.UTF_8);
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int count = 0;
    for (byte[] element : elements) {
      if (head.length + element.length + tail.length > maxBytes) {
        throw new IllegalArgumentException(
            "one element of "
                + element.length
                + " bytes exceeds the "
                + maxBytes
                + "-byte body limit");
      }
      if (count > 0
          && (count == maxCount || body.size() + 1 + element.length + tail.length > maxBytes)) {
        body.writeBytes(tail);
        bodies.add(body.toByteArray());
        body.reset();
        count = 0;
      }
      if (count == 0) {
        body.writeBytes(head);
      } else {
        body.write(',');
      }
      body.writeBytes(element);
      count++;
    }
    if (count > 0) {
      body.writeBytes(tail);
      bodies.add(body.toByteArray());
    }
    return bodies;
  }

  private SplittableRandom itemRandom(int i) {
    return new SplittableRandom(hash(seed, STREAM_ITEM, i));
  }

  private static float[] unit(double[] v) {
    double norm = 0;
    for (double x : v) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    for (int d = 0; d < v.length; d++) {
      out[d] = (float) (v[d] / norm);
    }
    return out;
  }

  /** SplitMix64 finaliser over the parts, so neighbouring items and users get unrelated streams. */
  static long hash(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
