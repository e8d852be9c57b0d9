package dev.freshet.bench.vectors;

import java.util.function.IntPredicate;

/**
 * One embedded approximate-nearest-neighbour library behind the few calls the comparison needs.
 *
 * <p>Similarity is the dot product of unit vectors (that is, cosine) for every implementation, and
 * an item's id is its index in the array given to {@link #build}, so results of all libraries and
 * of {@link ExactSearch} are directly comparable.
 */
public interface AnnIndex {

  /** Short library name with version, e.g. {@code "jvector 4.0.2"}. */
  String name();

  /** The build and search parameters as they are passed to the library. */
  String parameters();

  /** How {@link #search} honours {@code allowed}: inside the graph search, or by over-fetching. */
  String filtering();

  /** Builds the index over {@code vectors} (unit length) with {@code threads} threads. */
  void build(float[][] vectors, int threads) throws Exception;

  /**
   * The ids of (up to) {@code k} nearest allowed items, best first.
   *
   * @param ef the search beam ("ef" in HNSW terms), at least {@code k}
   * @param allowed which ids may be returned, or {@code null} for all
   */
  int[] search(float[] query, int k, int ef, IntPredicate allowed) throws Exception;

  /** The library's own estimate of the index's heap bytes, or -1 if it has none. */
  long bytes();
}
