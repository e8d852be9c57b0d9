package dev.freshet.streams;

import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A plausible demo catalog: {@code size} items ({@code demo-0} …) over 20 categories, with a
 * long-tailed popularity (a few hits, many niche items), creation times spread over the last 90
 * days, two or three tags each and an embedding near its category's centre, so that every ranking
 * feature has something to work with. Deterministic for a given seed.
 */
public final class DemoCatalog {

  public static final List<String> CATEGORIES =
      List.of(
          "news",
          "sports",
          "tech",
          "music",
          "movies",
          "travel",
          "food",
          "science",
          "health",
          "business",
          "gaming",
          "fashion",
          "art",
          "books",
          "cars",
          "pets",
          "parenting",
          "finance",
          "education",
          "comedy");

  private static final List<String> TAGS =
      List.of(
          "trending",
          "short",
          "longform",
          "video",
          "photo",
          "interview",
          "guide",
          "review",
          "live",
          "local",
          "global",
          "kids",
          "explainer",
          "opinion",
          "behind-the-scenes");

  private static final long DAY_MILLIS = 86_400_000L;

  private DemoCatalog() {}

  public static List<ItemUpsert> generate(
      int size, int embeddingDimension, long nowMillis, long seed) {
    Random random = new Random(seed);
    float[][] centres = centres(random, embeddingDimension);
    int[] popularityRank = shuffledRanks(size, random);
    List<ItemUpsert> items = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int category = random.nextInt(CATEGORIES.size());
      double popularity = Math.round(10_000.0 / Math.pow(popularityRank[i] + 1, 0.8) * 100) / 100.0;
      long createdAt = nowMillis - (long) (random.nextDouble() * 90 * DAY_MILLIS);
      items.add(
          item(
              "demo-" + i,
              CATEGORIES.get(category),
              centres[category],
              random,
              popularity,
              createdAt,
              "story #" + i));
    }
    return items;
  }

  /**
   * Each category's embedding centre: drawn first from a {@code Random(seed)}, so that the same
   * seed gives the catalog and later items (see {@link DemoPoolGenerator}) the same centres.
   */
  static float[][] centres(Random random, int embeddingDimension) {
    float[][] centres = new float[CATEGORIES.size()][];
    for (int c = 0; c < centres.length; c++)
      centres[c] = unit(gaussian(random, embeddingDimension));
    return centres;
  }

  /** One item of {@code category}: two or three tags, an embedding near {@code centre}. */
  static ItemUpsert item(
      String id,
      String category,
      float[] centre,
      Random random,
      double popularity,
      long createdAt,
      String name) {
    float[] noise = gaussian(random, centre.length);
    float[] embedding = new float[centre.length];
    for (int d = 0; d < centre.length; d++) embedding[d] = centre[d] + 0.35f * noise[d];
    String title =
        category.substring(0, 1).toUpperCase(Locale.ROOT) + category.substring(1) + " " + name;
    return new ItemUpsert(
        id,
        category,
        tags(random),
        createdAt,
        ItemStatus.ACTIVE,
        popularity,
        unit(embedding),
        "{\"title\":\"" + title.replace("\"", "'") + "\",\"source\":\"demo\"}");
  }

  private static List<String> tags(Random random) {
    int n = 2 + random.nextInt(2);
    List<String> tags = new ArrayList<>(n);
    while (tags.size() < n) {
      String tag = TAGS.get(random.nextInt(TAGS.size()));
      if (!tags.contains(tag)) tags.add(tag);
    }
    return tags;
  }

  private static int[] shuffledRanks(int size, Random random) {
    int[] ranks = new int[size];
    for (int i = 0; i < size; i++) ranks[i] = i;
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = ranks[i];
      ranks[i] = ranks[j];
      ranks[j] = t;
    }
    return ranks;
  }

  static float[] gaussian(Random random, int dimension) {
    float[] v = new float[dimension];
    for (int d = 0; d < dimension; d++) v[d] = (float) random.nextGaussian();
    return v;
  }

  static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) norm += x * x;
    norm = Math.sqrt(norm);
    for (int d = 0; d < v.length; d++) v[d] = (float) (v[d] / norm);
    return v;
  }
}
