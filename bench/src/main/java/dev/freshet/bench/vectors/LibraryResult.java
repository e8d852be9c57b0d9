package dev.freshet.bench.vectors;

import java.util.List;

/**
 * What the comparison measured for one library; {@code failure} is set (and the figures may be
 * partial) when the library ran out of memory or threw.
 *
 * @param buildCpuSeconds CPU time of the whole JVM during the build (all threads, GC included)
 * @param heapBytesPerItem live heap the built index adds, per item, measured across the build; the
 *     item vectors themselves (4·dim + 16 bytes each) are shared with the caller and not counted
 * @param libraryBytesPerItem the library's own estimate per item, or -1 if it has none
 */
public record LibraryResult(
    String name,
    String parameters,
    String filtering,
    double buildSeconds,
    double buildCpuSeconds,
    double heapBytesPerItem,
    double libraryBytesPerItem,
    List<EfResult> efs,
    String failure) {

  /**
   * The figures at one search beam width.
   *
   * @param filtered one run per excluded fraction, in the order of the options
   * @param searchesPerFilteredQuery graph searches per filtered query, one per fraction (1.0 for
   *     in-graph filtering; more when the library over-fetches)
   */
  public record EfResult(
      int ef, SearchRun all, List<SearchRun> filtered, List<Double> searchesPerFilteredQuery) {}
}
