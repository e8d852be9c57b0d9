package dev.freshet.actors.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.junit.jupiter.api.Test;

class FactorIndexTest {

  private static final IntPredicate ALL = id -> true;

  /**
   * Seven items of two factors. For the user (1, 1) the dot products are 1, 1, 4, -2, 1, 2, 2: ties
   * at 2 (items 5 and 6) and at 1 (items 0, 1 and 4), and one negative.
   */
  private static final float[] HAND_MADE = {
    1, 0, //
    0, 1, 2, 2, -1, -1, 0.5f, 0.5f, 3, -1, 1, 1
  };

  private static final FactorIndexSettings GRAPH_ALWAYS =
      FactorIndexSettings.defaults().withExactUpTo(0);

  @Test
  void theExactScanAnswersAHandMadeMatrixBestFirstWithTiesToTheLowerId() {
    FactorIndex index = FactorIndex.build(HAND_MADE, 2);

    assertThat(index.hasGraph()).isFalse();
    ScoredItems top = index.search(new float[] {1, 1}, 5, ALL);
    assertThat(top.denseIds()).containsExactly(2, 5, 6, 0, 1);
    assertThat(top.scores()).containsExactly(4f, 2f, 2f, 1f, 1f);
    assertThat(index.top(new float[] {1, 0}, 3, ALL)).containsExactly(5, 2, 0);
    // more than there are: all of them, the negative one last
    assertThat(index.top(new float[] {1, 1}, 50, ALL)).containsExactly(2, 5, 6, 0, 1, 4, 3);
  }

  @Test
  void theGraphAnswersTheHandMadeMatrixAsTheScanDoes() {
    FactorIndex graph = FactorIndex.build(HAND_MADE, 2, GRAPH_ALWAYS);
    FactorIndex scan = FactorIndex.build(HAND_MADE, 2);

    assertThat(graph.hasGraph()).isTrue();
    for (float[] user : List.of(new float[] {1, 1}, new float[] {1, 0}, new float[] {-1, 0.2f}))
      for (int k = 1; k <= 7; k++)
        assertThat(graph.search(user, k, ALL)).isEqualTo(scan.search(user, k, ALL));
  }

  @Test
  void rejectedItemsAreNeverReturnedAndTheNextBestTakeTheirPlace() {
    IntPredicate notTwoOrFive = id -> id != 2 && id != 5;
    for (FactorIndex index :
        List.of(FactorIndex.build(HAND_MADE, 2), FactorIndex.build(HAND_MADE, 2, GRAPH_ALWAYS)))
      assertThat(index.top(new float[] {1, 1}, 3, notTwoOrFive)).containsExactly(6, 0, 1);
  }

  @Test
  void theGraphHonoursRandomFiltersAndReturnsKItemsBestFirst() {
    int items = 5_000, factors = 8, k = 20;
    float[] m = FactorData.gaussian(items, factors, 11);
    FactorIndex index = FactorIndex.build(m, factors, GRAPH_ALWAYS);
    Random random = new Random(5);
    for (int q = 0; q < 50; q++) {
      float[] user = FactorData.row(FactorData.gaussian(1, factors, 100 + q), factors, 0);
      int[] seen = random.ints(200, 0, items).sorted().distinct().toArray();
      int modulus = 2 + random.nextInt(5);
      IntPredicate accept = id -> id % modulus != 0 && Arrays.binarySearch(seen, id) < 0;

      ScoredItems found = index.search(user, k, accept);

      assertThat(list(found.denseIds())).hasSize(k).allMatch(accept::test).doesNotHaveDuplicates();
      for (int i = 1; i < k; i++)
        assertThat(found.scores()[i]).isLessThanOrEqualTo(found.scores()[i - 1]);
      for (int i = 0; i < k; i++)
        assertThat(found.scores()[i])
            .isEqualTo(FactorRows.dot(user, 0, m, found.denseIds()[i] * factors, factors));
    }
  }

  @Test
  void aFilterThatLeavesFewItemsIsAnsweredInFullByTheScan() {
    int items = 3_000, factors = 8;
    FactorIndex index =
        FactorIndex.build(FactorData.gaussian(items, factors, 12), factors, GRAPH_ALWAYS);
    float[] user = FactorData.row(FactorData.gaussian(1, factors, 13), factors, 0);
    IntPredicate thirty = id -> id % 100 == 7; // 30 items, fewer than k

    ScoredItems found = index.search(user, 100, thirty);

    assertThat(list(found.denseIds())).hasSize(30).allMatch(id -> id % 100 == 7);
    assertThat(found).isEqualTo(index.exact(user, 100, thirty));
    assertThat(index.top(user, 10, id -> false)).isEmpty();
  }

  /**
   * The graph path against the exact scan on 50,000 random items, with a tenth of them filtered out
   * (a user's seen and inactive items). 16 factors and a build beam of 50 keep the build to a few
   * seconds; bench/README.md has the figures at 64 factors and 1M items.
   */
  @Test
  void theGraphFindsAtLeastNineInTenOfTheExactTop100On50000RandomItems() {
    int items = 50_000, factors = 16, k = 100, queries = 100;
    FactorIndexSettings d = FactorIndexSettings.defaults();
    FactorIndexSettings settings =
        new FactorIndexSettings(
            0, d.maxConnections(), 50, d.searchBeam(), d.exactBelow(), d.seed());
    FactorIndex index =
        FactorIndex.build(FactorData.gaussian(items, factors, 21), factors, settings);
    float[] users = FactorData.gaussian(queries, factors, 22);
    IntPredicate accept = id -> id % 10 != 3;

    int[][] exact = new int[queries][], graph = new int[queries][];
    for (int q = 0; q < queries; q++) {
      float[] user = FactorData.row(users, factors, q);
      exact[q] = index.exact(user, k, accept).denseIds();
      graph[q] = index.top(user, k, accept);
      assertThat(list(graph[q])).hasSize(k).allMatch(accept::test);
    }

    assertThat(FactorData.recall(exact, graph)).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void aBuildAndItsAnswersAreTheSameInEveryRunAndUnderConcurrentSearches() throws Exception {
    int items = 3_000, factors = 8, queries = 40;
    float[] m = FactorData.gaussian(items, factors, 31);
    FactorIndex one = FactorIndex.build(m, factors, GRAPH_ALWAYS);
    FactorIndex two = FactorIndex.build(m.clone(), factors, GRAPH_ALWAYS);
    float[] users = FactorData.gaussian(queries, factors, 32);
    IntPredicate accept = id -> id % 3 != 0;

    ScoredItems[] sequential = new ScoredItems[queries];
    for (int q = 0; q < queries; q++) {
      sequential[q] = one.search(FactorData.row(users, factors, q), 50, accept);
      assertThat(two.search(FactorData.row(users, factors, q), 50, accept))
          .isEqualTo(sequential[q]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tasks =
          java.util.stream.IntStream.range(0, 4 * queries)
              .<Callable<Boolean>>mapToObj(
                  t ->
                      () ->
                          one.search(FactorData.row(users, factors, t % queries), 50, accept)
                              .equals(sequential[t % queries]))
              .toList();
      for (Future<Boolean> same : pool.invokeAll(tasks)) assertThat(same.get()).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badInputsAreRefusedAndEmptyQueriesAnswerNothing() {
    FactorIndex index = FactorIndex.build(HAND_MADE, 2);

    assertThat(index.top(new float[] {1, 1}, 0, ALL)).isEmpty();
    assertThat(index.top(new float[] {1, 1}, -3, ALL)).isEmpty();
    assertThat(index.top(null, 5, ALL)).isEmpty();
    assertThat(index.top(new float[] {0, 0}, 5, ALL)).isEmpty();
    assertThat(FactorIndex.build(new float[0], 4).top(new float[4], 5, ALL)).isEmpty();
    assertThat(FactorIndex.build(new float[0], 4).top(new float[] {1, 0, 0, 0}, 5, ALL)).isEmpty();
    assertThatThrownBy(() -> index.top(new float[] {1, 1, 1}, 5, ALL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 factors");
    assertThatThrownBy(() -> index.top(new float[] {Float.NaN, 1}, 5, ALL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FactorIndex.build(new float[5], 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> FactorIndex.build(new float[4], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FactorIndex.build(null, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FactorIndex.build(new float[] {1, Float.POSITIVE_INFINITY}, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 0");
  }

  @Test
  void aGraphIsBuiltOnlyAboveTheThresholdAndItsMemoryIsCounted() {
    float[] m = FactorData.gaussian(1_000, 8, 41);

    FactorIndex atThreshold =
        FactorIndex.build(m, 8, FactorIndexSettings.defaults().withExactUpTo(1_000));
    FactorIndex above = FactorIndex.build(m, 8, FactorIndexSettings.defaults().withExactUpTo(999));

    assertThat(atThreshold.hasGraph()).isFalse();
    assertThat(atThreshold.bytes()).isZero();
    assertThat(above.hasGraph()).isTrue();
    assertThat(above.bytes()).isGreaterThan(1_000L * 16); // at least M links of 4 bytes a node
    assertThat(above.items()).isEqualTo(1_000);
    assertThat(above.factors()).isEqualTo(8);
    // a MovieLens-size model needs no graph: building it is the input check alone
    assertThat(FactorIndex.build(FactorData.gaussian(10_000, 64, 42), 64).hasGraph()).isFalse();
  }

  @Test
  void theGraphIsBuiltWithLucenesMaximumInnerProductScore() throws Exception {
    float[] m = FactorData.gaussian(50, 8, 51);
    FactorRows rows = new FactorRows(m, 8);
    RandomVectorScorer fromRow = rows.scorerSupplier().scorer(7);
    float[] user = FactorData.row(m, 8, 3);
    RandomVectorScorer fromUser = rows.scorer(user);

    for (int node = 0; node < 50; node++) {
      float lucene =
          VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT.compare(
              FactorData.row(m, 8, 7), FactorData.row(m, 8, node));
      assertThat(fromRow.score(node)).isCloseTo(lucene, within(1e-5f * Math.abs(lucene)));
      assertThat(fromUser.score(node))
          .isCloseTo(
              VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT.compare(
                  user, FactorData.row(m, 8, node)),
              within(1e-4f));
    }
    assertThat(rows.vectorValue(9)).containsExactly(FactorData.row(m, 8, 9));
    assertThat(rows.copy().vectorValue(9)).isNotSameAs(rows.vectorValue(9));
  }

  private static List<Integer> list(int[] ids) {
    return Arrays.stream(ids).boxed().toList();
  }
}
