package dev.freshet.bench.vectors;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * hnswlib-core (a Java port of nmslib's hnswlib) with {@code FLOAT_INNER_PRODUCT} (distance 1 − dot
 * on unit vectors).
 *
 * <p>Its search has no filter, so a filtered search over-fetches: it asks for {@code max(ef, k)}
 * results (as many as the beam holds anyway, at no extra cost), drops the excluded ones and, while
 * fewer than {@code k} are left, searches again for twice as many (a larger beam) up to the whole
 * index. {@link #overFetchCalls()} counts the searches so the comparison can report the cost.
 * Levels are drawn from {@code ThreadLocalRandom}, so builds are not repeatable by seed.
 */
public final class HnswlibIndex implements AnnIndex {

  /** The item type hnswlib stores: the id is the array index. */
  record VectorItem(Integer id, float[] vector) implements Item<Integer, float[]> {
    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  private final int m;
  private final int efConstruction;
  private HnswIndex<Integer, float[], VectorItem, Float> index;
  private long searches;
  private long filteredQueries;

  public HnswlibIndex(int m, int efConstruction) {
    this.m = m;
    this.efConstruction = efConstruction;
  }

  @Override
  public String name() {
    return "hnswlib-core 1.2.1";
  }

  @Override
  public String parameters() {
    return "M " + m + " (2·M on layer 0), efConstruction " + efConstruction;
  }

  @Override
  public String filtering() {
    return "over-fetch (no filter API: fetch max(ef,k), double until k allowed)";
  }

  @Override
  public void build(float[][] vectors, int threads) throws InterruptedException {
    index =
        HnswIndex.newBuilder(
                vectors[0].length, DistanceFunctions.FLOAT_INNER_PRODUCT, vectors.length)
            .withM(m)
            .withEfConstruction(efConstruction)
            .build();
    List<VectorItem> items = new ArrayList<>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      items.add(new VectorItem(i, vectors[i]));
    }
    index.addAll(items, threads, (done, max) -> {}, Integer.MAX_VALUE);
  }

  @Override
  public int[] search(float[] query, int k, int ef, IntPredicate allowed) {
    index.setEf(Math.max(ef, k)); // findNearest searches with a beam of max(ef, k)
    if (allowed == null) {
      return ids(index.findNearest(query, k), k, null);
    }
    filteredQueries++;
    int fetch = Math.max(ef, k);
    while (true) {
      searches++;
      List<SearchResult<VectorItem, Float>> found = index.findNearest(query, fetch);
      int[] ids = ids(found, k, allowed);
      if (ids.length == k || fetch >= index.size()) {
        return ids;
      }
      fetch = (int) Math.min(2L * fetch, index.size());
    }
  }

  private static int[] ids(
      List<SearchResult<VectorItem, Float>> found, int k, IntPredicate allowed) {
    int[] ids = new int[k];
    int n = 0;
    for (int i = 0; i < found.size() && n < k; i++) {
      int id = found.get(i).item().id();
      if (allowed == null || allowed.test(id)) {
        ids[n++] = id;
      }
    }
    return n == k ? ids : Arrays.copyOf(ids, n);
  }

  /** Graph searches per filtered query since the last {@link #resetOverFetch()}. */
  public double overFetchCalls() {
    return filteredQueries == 0 ? 0 : (double) searches / filteredQueries;
  }

  public void resetOverFetch() {
    searches = 0;
    filteredQueries = 0;
  }

  @Override
  public long bytes() {
    return -1;
  }
}
