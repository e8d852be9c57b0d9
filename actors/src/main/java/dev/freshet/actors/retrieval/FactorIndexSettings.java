package dev.freshet.actors.retrieval;

/**
 * A {@link FactorIndex}'s knobs. The defaults are measured (bench/README.md, "CF candidates: the
 * factor index").
 *
 * @param exactUpTo a model of at most this many items is answered by an exact scan and gets no
 *     graph: below it a scan is about as fast as the graph and a graph only costs build time and
 *     memory
 * @param maxConnections HNSW's M: links per node (twice as many on the bottom layer)
 * @param beamWidth candidates considered when a node is added (build quality against build time)
 * @param searchBeam candidates a graph search keeps (at least k): recall against query time
 * @param exactBelow a query whose filter is estimated to accept at most this many items is answered
 *     by an exact scan, which is cheaper then than a graph search that steps over rejected nodes
 * @param seed the graph's level draws, so that a build gives the same graph in every run
 */
public record FactorIndexSettings(
    int exactUpTo, int maxConnections, int beamWidth, int searchBeam, int exactBelow, long seed) {

  public FactorIndexSettings {
    if (exactUpTo < 0 || exactBelow < 0)
      throw new IllegalArgumentException("exactUpTo and exactBelow must be >= 0");
    if (maxConnections < 2) throw new IllegalArgumentException("maxConnections must be >= 2");
    if (beamWidth < 1 || searchBeam < 1)
      throw new IllegalArgumentException("beamWidth and searchBeam must be >= 1");
  }

  public static FactorIndexSettings defaults() {
    return new FactorIndexSettings(20_000, 16, 100, 200, 2_000, 42L);
  }

  /** These settings with another size threshold (tests, benchmarks: a graph over a small model). */
  public FactorIndexSettings withExactUpTo(int items) {
    return new FactorIndexSettings(items, maxConnections, beamWidth, searchBeam, exactBelow, seed);
  }

  /** These settings with another search beam (benchmarks: recall against query time). */
  public FactorIndexSettings withSearchBeam(int beam) {
    return new FactorIndexSettings(exactUpTo, maxConnections, beamWidth, beam, exactBelow, seed);
  }
}
