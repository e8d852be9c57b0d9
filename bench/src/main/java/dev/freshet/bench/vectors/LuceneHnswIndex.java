package dev.freshet.bench.vectors;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;

/**
 * Lucene's HNSW graph used directly: {@link HnswGraphBuilder} builds an {@link OnHeapHnswGraph}
 * over the float arrays, {@link HnswGraphSearcher} searches it.
 *
 * <p>Why not an index in a {@code ByteBuffersDirectory} with {@code KnnFloatVectorQuery}: the other
 * two libraries are measured as in-memory graphs over on-heap float arrays, and the same graph code
 * is what a Lucene index runs underneath; a directory would add segment, codec and query overhead
 * (and doc-id mapping) that this comparison is not about. Two consequences to keep in mind: the
 * build is single-threaded ({@code HnswConcurrentMergeBuilder} needs a package-private graph
 * constructor), and the filter runs inside the graph search without {@code KnnFloatVectorQuery}'s
 * fallback to exact search for very selective filters. Lucene's search beam is its collector's
 * size, so a search collects {@code ef} results and keeps the best {@code k} (what {@code
 * KnnFloatVectorQuery} users do to "over-query").
 */
public final class LuceneHnswIndex implements AnnIndex {

  private static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;

  private final int m;
  private final int efConstruction;
  private final long seed;
  private RandomAccessVectorValues.Floats values;
  private OnHeapHnswGraph graph;

  public LuceneHnswIndex(int m, int efConstruction, long seed) {
    this.m = m;
    this.efConstruction = efConstruction;
    this.seed = seed;
  }

  @Override
  public String name() {
    return "Lucene 9.12.3 HNSW";
  }

  @Override
  public String parameters() {
    return "M " + m + " (2·M on layer 0), beamWidth " + efConstruction + ", 1 build thread";
  }

  @Override
  public String filtering() {
    return "in-graph (acceptOrds Bits)";
  }

  @Override
  public void build(float[][] vectors, int threads) throws IOException {
    values = RandomAccessVectorValues.fromFloats(Arrays.asList(vectors), vectors[0].length);
    var scorers =
        DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(SIMILARITY, values);
    graph = HnswGraphBuilder.create(scorers, m, efConstruction, seed).build(values.size());
  }

  @Override
  public int[] search(float[] query, int k, int ef, IntPredicate allowed) throws IOException {
    var scorer = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(SIMILARITY, values, query);
    TopKnnCollector collector = new TopKnnCollector(Math.max(ef, k), Integer.MAX_VALUE);
    HnswGraphSearcher.search(scorer, collector, graph, allowed == null ? null : bits(allowed));
    ScoreDoc[] docs = collector.topDocs().scoreDocs; // best first
    int[] ids = new int[Math.min(k, docs.length)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = docs[i].doc;
    }
    return ids;
  }

  private Bits bits(IntPredicate allowed) {
    int length = values.size();
    return new Bits() {
      @Override
      public boolean get(int index) {
        return allowed.test(index);
      }

      @Override
      public int length() {
        return length;
      }
    };
  }

  @Override
  public long bytes() {
    return graph == null ? -1 : graph.ramBytesUsed();
  }
}
