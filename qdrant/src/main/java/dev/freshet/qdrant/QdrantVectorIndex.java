package dev.freshet.qdrant;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.PointIdFactory.id;

import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.retrieval.IndexStatus;
import dev.freshet.actors.retrieval.IndexUnavailable;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.Neighbours;
import dev.freshet.actors.retrieval.VectorIndex;
import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.roaringbitmap.IntIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Qdrant as the {@link VectorIndex}: one filtered search per query, server-side, on the collection
 * {@link QdrantCatalogSync} keeps in step with the catalog.
 *
 * <p>The filter asks for {@code status = active}, the query's category when given, and none of the
 * query's excluded dense ids (the point ids), at most {@code max-excluded-ids} of them; for every
 * excluded id left out of the request one more result is asked for (at most {@code max-over-fetch}
 * more). Every hit is then checked against the query's own catalog snapshot ({@link
 * NeighbourQuery#accepts}, and the payload's item id against the snapshot's), because Qdrant may be
 * behind the node's catalog; at most {@code k} are answered.
 *
 * <p>A search has {@code request-timeout} to answer. Failures and timeouts complete the stage with
 * {@link IndexUnavailable} (never a throw), and feed a circuit breaker that, once open, fails
 * searches at once until a probe succeeds; {@link #status()} reports its state.
 */
public final class QdrantVectorIndex implements VectorIndex, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(QdrantVectorIndex.class);

  private final QdrantClient client;
  private final QdrantSettings settings;
  private final QdrantCatalogSync sync;
  private final QdrantMetrics metrics;
  private final CircuitBreaker breaker;
  private final String timeoutReason;

  QdrantVectorIndex(
      QdrantClient client,
      QdrantSettings settings,
      QdrantCatalogSync sync,
      QdrantMetrics metrics,
      CircuitBreaker breaker) {
    this.client = client;
    this.settings = settings;
    this.sync = sync;
    this.metrics = metrics;
    this.breaker = breaker;
    this.timeoutReason =
        "qdrant did not answer within " + settings.requestTimeout().toMillis() + " ms";
  }

  @Override
  public String kind() {
    return "qdrant";
  }

  public QdrantMetrics metrics() {
    return metrics;
  }

  @Override
  public CompletionStage<Neighbours> nearest(NeighbourQuery query) {
    int dimension = sync.dimension();
    if (dimension != 0 && query.vector().length != dimension)
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "the query vector has dimension "
                  + query.vector().length
                  + ", the index "
                  + dimension));
    if (!breaker.allow()) {
      metrics.searchesRejectedByBreaker.increment();
      return CompletableFuture.failedFuture(new IndexUnavailable("qdrant circuit open"));
    }
    long started = System.nanoTime();
    CompletableFuture<List<ScoredPoint>> answer;
    try {
      answer = Futures.toCompletable(client.searchAsync(request(query), settings.requestTimeout()));
    } catch (RuntimeException failure) { // the client checks its arguments before sending
      answer = CompletableFuture.failedFuture(failure);
    }
    // completed by hand, so that callers see the IndexUnavailable itself, not a CompletionException
    CompletableFuture<Neighbours> result = new CompletableFuture<>();
    answer.whenComplete(
        (points, failure) -> {
          metrics.searched(System.nanoTime() - started);
          if (failure != null) {
            result.completeExceptionally(failed(failure));
            return;
          }
          breaker.success();
          try {
            result.complete(accepted(points, query));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /** The search request of a query: the filter as described above, ids and scores only. */
  SearchPoints request(NeighbourQuery query) {
    Filter.Builder filter = Filter.newBuilder().addMust(matchKeyword("status", "active"));
    query.category().ifPresent(c -> filter.addMust(matchKeyword("category", c)));
    int excluded = query.excluded().getCardinality();
    int sent = Math.min(excluded, settings.maxExcludedIds());
    if (sent > 0) {
      List<PointId> ids = new ArrayList<>(sent);
      IntIterator it = query.excluded().getIntIterator();
      while (it.hasNext() && ids.size() < sent) ids.add(id(it.next()));
      filter.addMustNot(hasId(ids));
    }
    int overFetch = Math.min(excluded - sent, settings.maxOverFetch());
    SearchPoints.Builder request =
        SearchPoints.newBuilder()
            .setCollectionName(settings.collection())
            .setFilter(filter)
            .setLimit((long) query.k() + overFetch)
            .setWithPayload(WithPayloadSelectorFactory.include(List.of("id")));
    for (float x : query.vector()) request.addVector(x);
    return request.build();
  }

  private Neighbours accepted(List<ScoredPoint> points, NeighbourQuery query) {
    int[] ids = new int[Math.min(points.size(), query.k())];
    float[] scores = new float[ids.length];
    int n = 0;
    for (ScoredPoint point : points) {
      if (n == ids.length) break;
      long num = point.getId().getNum();
      if (num > Integer.MAX_VALUE || !query.accepts((int) num)) {
        metrics.hitsDroppedByPostFilter.increment();
        continue;
      }
      Item item = query.catalog().byDenseId((int) num);
      Value itemId = point.getPayloadMap().get("id");
      if (itemId != null && !itemId.getStringValue().equals(item.id())) {
        // the collection holds another catalog's points under these dense ids
        metrics.hitsDroppedByPostFilter.increment();
        log.warn(
            "qdrant hit of another item denseId={} payloadId={} catalogId={} collection={}",
            num,
            itemId.getStringValue(),
            item.id(),
            settings.collection());
        continue;
      }
      ids[n] = (int) num;
      scores[n] = point.getScore();
      n++;
    }
    return n == ids.length
        ? new Neighbours(ids, scores)
        : new Neighbours(Arrays.copyOf(ids, n), Arrays.copyOf(scores, n));
  }

  private IndexUnavailable failed(Throwable failure) {
    Status.Code code = Futures.code(failure);
    metrics.searchFailures.increment();
    if (code == Status.Code.INVALID_ARGUMENT) {
      // Qdrant answered: it is up (a half-open breaker's probe must end either way)
      breaker.success();
      log.warn("qdrant search refused collection={} error=\"{}\"", settings.collection(), failure);
      return new IndexUnavailable("qdrant refused the search", failure);
    }
    if (code == Status.Code.NOT_FOUND) {
      // up, but the sync has not created the collection yet (no embedding seen, or Qdrant was
      // down until now); nothing to answer from, and nothing for the breaker
      breaker.success();
      return new IndexUnavailable("qdrant has no collection " + settings.collection(), failure);
    }
    breaker.failure();
    if (code == Status.Code.DEADLINE_EXCEEDED) {
      metrics.searchTimeouts.increment();
      return new IndexUnavailable(timeoutReason, failure);
    }
    log.debug("qdrant search failed collection={} code={}", settings.collection(), code);
    return new IndexUnavailable("qdrant failed: " + code, failure);
  }

  @Override
  public IndexStatus status() {
    String state = breaker.state();
    int items = sync.indexed();
    int pending = sync.pending();
    int dimension = sync.dimension();
    if (state.equals("closed") && dimension == 0 && items == 0 && pending == 0) state = "empty";
    return new IndexStatus(
        kind(),
        state,
        items,
        pending,
        dimension,
        0L,
        sync.lastCatchUpMillis(),
        sync.lastWriteAtMillis());
  }

  /** The catalog sync behind this index (its progress, for the admin API). */
  public QdrantCatalogSync sync() {
    return sync;
  }

  /** Stops the sync and closes the client (and its channel). */
  @Override
  public void close() {
    sync.close();
    client.close();
  }
}
