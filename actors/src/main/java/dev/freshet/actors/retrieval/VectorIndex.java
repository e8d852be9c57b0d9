package dev.freshet.actors.retrieval;

import java.util.concurrent.CompletionStage;

/**
 * Nearest neighbours of a vector among the catalog's items with embeddings, by cosine similarity:
 * the port candidate retrieval and "similar items" use, with an embedded implementation in the node
 * ({@link EmbeddedVectorIndex}) and Qdrant's behind it in larger deployments.
 *
 * <p>An implementation answers only items the query accepts ({@link NeighbourQuery#accepts}: active
 * in the query's catalog snapshot, of its category, not excluded), so filtering never silently
 * shrinks a result that the index could have filled. It may answer fewer than {@code k} only when
 * fewer accepted items exist, or when it is behind the catalog (an item archived since it last
 * heard of it is dropped by the check, and not replaced). A failure or a timeout completes the
 * stage exceptionally; it never throws.
 */
public interface VectorIndex {

  /** What the index is, for metrics, logs and the admin API: {@code embedded} or {@code qdrant}. */
  String kind();

  CompletionStage<Neighbours> nearest(NeighbourQuery query);

  /** Its state now, cheaply (the admin API and the metrics read it on every scrape). */
  IndexStatus status();
}
