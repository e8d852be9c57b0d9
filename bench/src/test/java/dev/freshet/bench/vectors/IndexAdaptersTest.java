package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every adapter on the same small clustered data: k results, filter respected, recall sane. */
class IndexAdaptersTest {

  private static final VectorData DATA = VectorData.generate(2_000, 50, 16, 20, 5);
  private static final int K = 100;
  private static final int EF = 200;

  /** Built once for all tests: the builds are what takes time here. */
  private static final List<AnnIndex> BUILT = new ArrayList<>();

  @BeforeAll
  static void build() throws Exception {
    BUILT.add(new JVectorIndex(16, 100));
    BUILT.add(new HnswlibIndex(16, 100));
    BUILT.add(new LuceneHnswIndex(16, 100, 5));
    for (AnnIndex index : BUILT) {
      index.build(DATA.items(), 2);
    }
  }

  static Stream<String> libraries() {
    return Stream.of("jvector", "hnswlib", "lucene");
  }

  private static AnnIndex built(String library) {
    return BUILT.stream()
        .filter(i -> i.name().toLowerCase().startsWith(library))
        .findFirst()
        .orElseThrow();
  }

  private static double check(AnnIndex index, IntPredicate allowed) throws Exception {
    int[][] truth = ExactSearch.topK(DATA.items(), DATA.queries(), K, allowed);
    int[][] got = new int[DATA.queries().length][];
    for (int q = 0; q < got.length; q++) {
      got[q] = index.search(DATA.queries()[q], K, EF, allowed);
      assertEquals(K, got[q].length, index.name() + ": results of query " + q);
      Set<Integer> distinct = new HashSet<>();
      for (int id : got[q]) {
        assertTrue(id >= 0 && id < DATA.items().length, index.name() + ": id " + id);
        assertTrue(distinct.add(id), index.name() + ": duplicate " + id);
        assertTrue(allowed == null || allowed.test(id), index.name() + ": excluded " + id);
      }
    }
    return Recall.mean(truth, got, K);
  }

  @ParameterizedTest
  @MethodSource("libraries")
  void returnsKAllowedResultsWithHighRecall(String library) throws Exception {
    AnnIndex index = built(library);
    double all = check(index, null);
    assertTrue(all > 0.95, index.name() + " recall " + all);
    for (double fraction : new double[] {0.1, 0.5, 0.9}) {
      IntPredicate allowed = Exclusion.random(DATA.items().length, fraction, 9).allowed();
      double filtered = check(index, allowed);
      // 90 % excluded leaves 200 items for k = 100: graphs lose some of them, never the count
      double bound = fraction < 0.9 ? 0.9 : 0.7;
      assertTrue(filtered > bound, index.name() + " recall " + filtered + " at " + fraction);
    }
  }

  @ParameterizedTest
  @MethodSource("libraries")
  void bestResultFirst(String library) throws Exception {
    AnnIndex index = built(library);
    float[] q = DATA.queries()[0];
    int[] got = index.search(q, 10, 100, null);
    for (int i = 1; i < got.length; i++) {
      float prev = ExactSearch.dot(DATA.items()[got[i - 1]], q);
      float next = ExactSearch.dot(DATA.items()[got[i]], q);
      assertTrue(prev >= next, index.name() + " order at " + i);
    }
    assertEquals(ExactSearch.topK(DATA.items(), q, 1, null)[0], got[0], index.name());
  }
}
