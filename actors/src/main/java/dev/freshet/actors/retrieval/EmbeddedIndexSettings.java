package dev.freshet.actors.retrieval;

import com.typesafe.config.Config;

/**
 * The embedded index's knobs ({@code freshet.vectors.embedded}).
 *
 * @param maxConnections HNSW's M: links per node (twice as many on the bottom layer)
 * @param beamWidth candidates considered when a node is added (build quality against build time)
 * @param searchBeam candidates a search keeps (at least k): recall against query time
 * @param exactBelow a query whose filter leaves at most this many items, or whose graph search
 *     visits this many nodes without filling its list, is answered by an exact scan instead
 * @param maxPendingScan changes not yet in the graph are scanned exactly by every query; beyond
 *     this many the index answers "building" and rankings degrade to popularity and actor state
 * @param rebuildDeadShare the graph is rebuilt once this share of its nodes are dead (items whose
 *     embedding changed or was removed: HNSW cannot delete)
 * @param seed the graph's level draws, so that a build is the same in every run
 */
public record EmbeddedIndexSettings(
    boolean enabled,
    int maxConnections,
    int beamWidth,
    int searchBeam,
    int exactBelow,
    int maxPendingScan,
    double rebuildDeadShare,
    long seed) {

  public EmbeddedIndexSettings {
    if (maxConnections < 2) throw new IllegalArgumentException("max-connections must be >= 2");
    if (beamWidth < 1 || searchBeam < 1)
      throw new IllegalArgumentException("beam-width and search-beam must be >= 1");
    if (exactBelow < 0 || maxPendingScan < 0)
      throw new IllegalArgumentException("exact-below and max-pending-scan must be >= 0");
    if (!(rebuildDeadShare > 0 && rebuildDeadShare <= 1))
      throw new IllegalArgumentException("rebuild-dead-share must be in (0, 1]");
  }

  public static EmbeddedIndexSettings defaults() {
    return new EmbeddedIndexSettings(true, 16, 100, 50, 2_000, 20_000, 0.3, 42L);
  }

  /** From {@code freshet.vectors.embedded}. */
  public static EmbeddedIndexSettings from(Config embedded) {
    return new EmbeddedIndexSettings(
        embedded.getBoolean("enabled"),
        embedded.getInt("max-connections"),
        embedded.getInt("beam-width"),
        embedded.getInt("search-beam"),
        embedded.getInt("exact-below"),
        embedded.getInt("max-pending-scan"),
        embedded.getDouble("rebuild-dead-share"),
        embedded.getLong("seed"));
  }
}
