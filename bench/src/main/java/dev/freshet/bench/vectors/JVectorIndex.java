package dev.freshet.bench.vectors;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntPredicate;

/**
 * jvector's in-memory graph ({@link GraphIndexBuilder} → {@code OnHeapGraphIndex}) searched with
 * full-precision vectors (no product quantisation), which is what an embedded index of 10⁵–10⁶
 * small vectors would use.
 *
 * <p>jvector's {@code M} is the maximum degree of a layer. HNSW's M=16 means 16 neighbours on the
 * upper layers and 32 on the base layer, so the degrees here are {@code [2·M, M]} with the
 * hierarchy on: the same graph budget as the HNSW libraries. {@code neighborOverflow} and {@code
 * alpha} (1.2 each) are jvector's usual values. Filtering is inside the graph search: the {@code
 * acceptOrds} bits only decide which visited nodes may enter the results, the traversal still walks
 * through excluded ones.
 */
public final class JVectorIndex implements AnnIndex {

  private static final VectorTypeSupport VECTORS =
      VectorizationProvider.getInstance().getVectorTypeSupport();
  private static final float NEIGHBOR_OVERFLOW = 1.2f;
  private static final float ALPHA = 1.2f;

  private final int m;
  private final int efConstruction;
  private RandomAccessVectorValues values;
  private ImmutableGraphIndex graph;
  private GraphSearcher searcher;

  public JVectorIndex(int m, int efConstruction) {
    this.m = m;
    this.efConstruction = efConstruction;
  }

  @Override
  public String name() {
    return "jvector 4.0.2";
  }

  @Override
  public String parameters() {
    return "degrees ["
        + 2 * m
        + ", "
        + m
        + "], beamWidth "
        + efConstruction
        + ", overflow "
        + NEIGHBOR_OVERFLOW
        + ", alpha "
        + ALPHA
        + ", hierarchy on, refine on";
  }

  @Override
  public String filtering() {
    return "in-graph (acceptOrds Bits)";
  }

  @Override
  public void build(float[][] vectors, int threads) throws Exception {
    int dim = vectors[0].length;
    List<VectorFloat<?>> list = new ArrayList<>(vectors.length);
    for (float[] v : vectors) {
      list.add(VECTORS.createFloatVector(v)); // wraps the array, no copy
    }
    values = new ListRandomAccessVectorValues(list, dim);
    BuildScoreProvider scores =
        BuildScoreProvider.randomAccessScoreProvider(values, VectorSimilarityFunction.DOT_PRODUCT);
    // jvector builds on its own pools (physical cores by default): give it exactly `threads`
    ForkJoinPool pool = new ForkJoinPool(threads);
    try (GraphIndexBuilder builder =
        new GraphIndexBuilder(
            scores,
            dim,
            List.of(2 * m, m),
            efConstruction,
            NEIGHBOR_OVERFLOW,
            ALPHA,
            true,
            true,
            pool,
            pool)) {
      graph = builder.build(values);
    } finally {
      pool.shutdown();
    }
    searcher = new GraphSearcher(graph); // reused: one searcher per thread is jvector's pattern
  }

  @Override
  public int[] search(float[] query, int k, int ef, IntPredicate allowed) {
    var scores =
        DefaultSearchScoreProvider.exact(
            VECTORS.createFloatVector(query), VectorSimilarityFunction.DOT_PRODUCT, values);
    Bits accept = allowed == null ? Bits.ALL : allowed::test;
    // rerankK is the size of the result beam, i.e. HNSW's ef; with exact scores nothing is reranked
    SearchResult result = searcher.search(scores, k, Math.max(ef, k), 0f, 0f, accept);
    SearchResult.NodeScore[] nodes = result.getNodes();
    int[] ids = new int[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      ids[i] = nodes[i].node;
    }
    return ids;
  }

  @Override
  public long bytes() {
    return graph == null ? -1 : graph.ramBytesUsed();
  }
}
