package dev.freshet.qdrant;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;

import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Qdrant collection in step with the node's catalog: point id = the item's dense id, vector
 * = its embedding, payload = {@code id}, {@code status}, {@code category}.
 *
 * <p>As a {@link Catalog.ChangeListener} it only records each change, latest per dense id (a newer
 * change of an item supersedes an older one not yet written), and wakes its one writer thread. That
 * thread creates the collection if absent (cosine, with keyword indexes on {@code status} and
 * {@code category}), then writes the pending items in batches of {@code upsert-batch-size}: an
 * upsert of the items with an embedding (archived and flagged ones too, so the search filter sees
 * their status) and a delete of those without one, both with {@code wait=true}. Writes are
 * idempotent, so a batch that failed is retried as a whole, after a back-off that doubles up to
 * {@code retry-backoff-max}; its items go back to the pending set unless a newer change of them
 * arrived meanwhile. Nothing is dropped but items whose embedding cannot be indexed (wrong
 * dimension, zero, not finite: counted, logged, and their old point deleted). A write refused as
 * invalid or aimed at a missing collection makes the writer look at the collection again: one of
 * another dimension is reported (and retried until an operator fixes it), a missing one is created
 * and gets the whole catalog again.
 *
 * <p>At node start the catalog's first change is the whole catalog, so every node writes every item
 * once (idempotent); with Qdrant down, the pending set simply waits (it holds references to the
 * snapshot's items, one entry per item) and the writer retries.
 */
public final class QdrantCatalogSync implements Catalog.ChangeListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(QdrantCatalogSync.class);

  /** Payload fields the search filters on, indexed as keywords. */
  static final List<String> INDEXED_FIELDS = List.of("status", "category");

  private final QdrantClient client;
  private final QdrantSettings settings;
  private final QdrantMetrics metrics;
  private final CircuitBreaker breaker;
  private final Runnable reconnectNow;
  private final Thread writer;

  private final Object lock = new Object();
  private final LinkedHashMap<Integer, Item> pending = new LinkedHashMap<>(); // guarded by lock
  private int inFlight; // guarded by lock: items of the batch being written
  private volatile int pendingCount; // pending plus in flight
  private volatile boolean closed;
  private volatile CatalogSnapshot latest = CatalogSnapshot.empty();

  // written by the writer thread only
  private final RoaringBitmap indexed = new RoaringBitmap();
  private boolean collectionReady;
  private boolean everWritten; // a collection was set up before: one created now starts empty
  private long catchUpStartedNanos = -1;
  private volatile int dimension;
  private volatile int indexedCount;
  private volatile long lastWriteAtMillis;
  private volatile long lastCatchUpMillis;
  private volatile boolean failing;

  QdrantCatalogSync(
      QdrantClient client,
      QdrantSettings settings,
      QdrantMetrics metrics,
      CircuitBreaker breaker,
      Runnable reconnectNow) {
    this.client = client;
    this.reconnectNow = reconnectNow;
    this.settings = settings;
    this.metrics = metrics;
    this.breaker = breaker;
    this.dimension = settings.dimension();
    this.writer = new Thread(this::run, "freshet-qdrant-sync");
    writer.setDaemon(true);
  }

  void start() {
    writer.start();
  }

  @Override
  public void changed(List<Item> items, CatalogSnapshot snapshot) {
    latest = snapshot;
    synchronized (lock) {
      for (Item item : items) pending.put(item.denseId(), item);
      pendingCount = pending.size() + inFlight;
      lock.notifyAll();
    }
  }

  /** Items whose latest change is not yet written (waiting or being written). */
  public int pending() {
    return pendingCount;
  }

  /** Items this node has written as points since it started (deleted ones taken off). */
  public int indexed() {
    return indexedCount;
  }

  /** The vectors' dimension, 0 until known. */
  public int dimension() {
    return dimension;
  }

  /** When a write last succeeded (epoch millis), 0 if never. */
  public long lastWriteAtMillis() {
    return lastWriteAtMillis;
  }

  /** How long the last catch-up took, from a change arriving to nothing pending. */
  public long lastCatchUpMillis() {
    return lastCatchUpMillis;
  }

  /** Whether the last write (or collection set-up) failed and is being retried. */
  public boolean failing() {
    return failing;
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the writer thread ----

  private void run() {
    int attempt = 0;
    while (!closed) {
      List<Item> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (!collectionReady) ensureCollection(batch);
        write(batch);
        if (attempt > 0)
          log.info(
              "qdrant sync recovered collection={} attempts={}", settings.collection(), attempt);
        attempt = 0;
        failing = false;
        caughtUp();
      } catch (InterruptedException e) {
        requeue(batch);
        return;
      } catch (Exception failure) {
        if (closed) return;
        requeue(batch);
        failing = true;
        metrics.failedBatches.increment();
        Status.Code code = Futures.code(failure);
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED)
          breaker.failure();
        // deleted under us, or replaced by one of another dimension: look at it again
        if (code == Status.Code.NOT_FOUND || code == Status.Code.INVALID_ARGUMENT)
          collectionReady = false;
        long sleep = backoffMillis(attempt++);
        String message = failure.getMessage();
        if (attempt == 1 || attempt % 10 == 0)
          log.warn(
              "qdrant sync failed collection={} items={} code={} attempt={} retryInMs={} pending={}"
                  + " error=\"{}\"",
              settings.collection(),
              batch.size(),
              code,
              attempt,
              sleep,
              pendingCount,
              message);
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException e) {
          return;
        }
        // gRPC's own reconnect back-off grows to 2 minutes while Qdrant is away; ours decides
        if (code == Status.Code.UNAVAILABLE) reconnectNow.run();
        metrics.retries.increment();
      }
    }
  }

  private List<Item> nextBatch() throws InterruptedException {
    synchronized (lock) {
      while (pending.isEmpty()) {
        if (closed) throw new InterruptedException();
        lock.wait();
      }
      if (catchUpStartedNanos < 0) catchUpStartedNanos = System.nanoTime();
      List<Item> batch = new ArrayList<>(Math.min(pending.size(), settings.upsertBatchSize()));
      Iterator<Item> it = pending.values().iterator();
      while (it.hasNext() && batch.size() < settings.upsertBatchSize()) {
        batch.add(it.next());
        it.remove();
      }
      inFlight = batch.size();
      pendingCount = pending.size() + inFlight;
      return batch;
    }
  }

  /** Puts a failed batch back, unless newer changes of its items arrived meanwhile. */
  private void requeue(List<Item> batch) {
    synchronized (lock) {
      for (Item item : batch) pending.putIfAbsent(item.denseId(), item);
      inFlight = 0;
      pendingCount = pending.size();
    }
  }

  /** The batch in flight is written; if nothing else is pending, a catch-up has ended. */
  private void caughtUp() {
    synchronized (lock) {
      inFlight = 0;
      pendingCount = pending.size();
      if (!pending.isEmpty() || catchUpStartedNanos < 0) return;
    }
    long millis = (System.nanoTime() - catchUpStartedNanos) / 1_000_000;
    catchUpStartedNanos = -1;
    lastCatchUpMillis = millis;
    log.debug(
        "qdrant sync caught up collection={} points={} tookMs={}",
        settings.collection(),
        indexedCount,
        millis);
  }

  private long backoffMillis(int attempt) {
    long min = settings.retryBackoffMin().toMillis();
    long max = settings.retryBackoffMax().toMillis();
    long exp = attempt >= 30 ? max : Math.min(max, min << attempt);
    // jitter on the upper half, so nodes restarted together do not retry in step
    return Math.max(min, exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1));
  }

  /**
   * Makes sure the collection exists with the right dimension and distance. Without a configured
   * dimension it takes an existing collection's, or else the first embedding's of the batch; if
   * there is neither, no point can exist yet and the batch needs nothing.
   */
  private void ensureCollection(List<Item> batch) throws Exception {
    if (call(client.collectionExistsAsync(settings.collection(), settings.syncTimeout()))) {
      CollectionInfo info =
          call(client.getCollectionInfoAsync(settings.collection(), settings.syncTimeout()));
      VectorParams params = info.getConfig().getParams().getVectorsConfig().getParams();
      int existing = (int) params.getSize();
      if (params.getDistance() != Distance.Cosine || (dimension != 0 && existing != dimension))
        throw new IllegalStateException(
            "collection "
                + settings.collection()
                + " has vectors of size "
                + existing
                + " and distance "
                + params.getDistance()
                + ", expected "
                + (dimension == 0 ? "any size" : "size " + dimension)
                + " and Cosine: point freshet.vectors.qdrant.collection at another collection or"
                + " delete this one");
      dimension = existing;
      everWritten = true;
      // a node that created the collection may have stopped before its payload indexes
      for (String field : INDEXED_FIELDS)
        if (!info.getPayloadSchemaMap().containsKey(field)) createPayloadIndex(field);
      collectionReady = true;
      log.info(
          "qdrant collection found collection={} dimension={} points={}",
          settings.collection(),
          existing,
          info.getPointsCount());
      return;
    }
    if (dimension == 0) {
      for (Item item : batch)
        if (item.embedding() != null && item.embedding().length > 0) {
          dimension = item.embedding().length;
          break;
        }
      if (dimension == 0) return; // nothing to index yet, nothing to delete
    }
    call(
        client.createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(settings.collection())
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(
                            VectorParams.newBuilder()
                                .setSize(dimension)
                                .setDistance(Distance.Cosine)
                                .build()))
                .build(),
            settings.syncTimeout()));
    for (String field : INDEXED_FIELDS) createPayloadIndex(field);
    collectionReady = true;
    if (everWritten) rewriteAll();
    everWritten = true;
    log.info(
        "qdrant collection created collection={} dimension={} distance=cosine",
        settings.collection(),
        dimension);
  }

  /**
   * The collection was gone and is created anew (deleted by hand, or Qdrant lost its storage):
   * every item of the latest snapshot is written again, not only the changes still pending.
   */
  private void rewriteAll() {
    CatalogSnapshot snapshot = latest;
    indexed.clear();
    indexedCount = 0;
    synchronized (lock) {
      for (int d = 0; d < snapshot.denseIdBound(); d++) {
        Item item = snapshot.byDenseId(d);
        if (item != null) pending.putIfAbsent(d, item);
      }
      pendingCount = pending.size() + inFlight;
    }
    log.warn(
        "qdrant collection was re-created, writing the whole catalog again collection={} items={}",
        settings.collection(),
        pendingCount);
  }

  private void createPayloadIndex(String field) throws Exception {
    call(
        client.createPayloadIndexAsync(
            CreateFieldIndexCollection.newBuilder()
                .setCollectionName(settings.collection())
                .setFieldName(field)
                .setFieldType(FieldType.FieldTypeKeyword)
                .setWait(true)
                .build(),
            settings.syncTimeout()));
  }

  private void write(List<Item> batch) throws Exception {
    if (!collectionReady) return; // no collection and no embedding yet: nothing to write
    List<PointStruct> points = new ArrayList<>(batch.size());
    List<Item> upserted = new ArrayList<>(batch.size());
    List<PointId> deletes = new ArrayList<>();
    List<Integer> deletedIds = new ArrayList<>();
    for (Item item : batch) {
      float[] embedding = item.embedding();
      String problem = embedding == null ? null : problem(embedding);
      if (embedding != null && problem == null) {
        points.add(point(item));
        upserted.add(item);
        continue;
      }
      if (problem != null) {
        metrics.skippedItems.increment();
        log.warn(
            "qdrant sync skipped item itemId={} denseId={} reason=\"{}\"",
            item.id(),
            item.denseId(),
            problem);
      }
      deletes.add(id(item.denseId()));
      deletedIds.add(item.denseId());
    }
    if (!points.isEmpty()) upsert(points, upserted);
    if (!deletes.isEmpty()) {
      checked(
          call(
              client.deleteAsync(
                  DeletePoints.newBuilder()
                      .setCollectionName(settings.collection())
                      .setWait(true)
                      .setPoints(
                          PointsSelector.newBuilder()
                              .setPoints(PointsIdsList.newBuilder().addAllIds(deletes)))
                      .build(),
                  settings.syncTimeout())));
      for (int denseId : deletedIds) indexed.remove(denseId);
      metrics.deletedPoints.add(deletes.size());
    }
    indexedCount = indexed.getCardinality();
    metrics.batches.increment();
    lastWriteAtMillis = System.currentTimeMillis();
  }

  private void upsert(List<PointStruct> points, List<Item> items) throws Exception {
    checked(
        call(
            client.upsertAsync(
                UpsertPoints.newBuilder()
                    .setCollectionName(settings.collection())
                    .setWait(true)
                    .addAllPoints(points)
                    .build(),
                settings.syncTimeout())));
    for (Item item : items) indexed.add(item.denseId());
    metrics.upsertedPoints.add(points.size());
  }

  private String problem(float[] embedding) {
    if (embedding.length != dimension)
      return "embedding has dimension " + embedding.length + ", the collection " + dimension;
    double norm = 0;
    for (float x : embedding) {
      if (!Float.isFinite(x)) return "embedding holds a value that is not finite";
      norm += (double) x * x;
    }
    return norm == 0 ? "embedding is all zeros (no cosine similarity)" : null;
  }

  static PointStruct point(Item item) {
    return PointStruct.newBuilder()
        .setId(id(item.denseId()))
        .setVectors(vectors(item.embedding()))
        .putAllPayload(
            Map.of(
                "id", value(item.id()),
                "status", value(item.status().wire()),
                "category", value(item.category())))
        .build();
  }

  private static void checked(UpdateResult result) {
    if (result.getStatus() != UpdateStatus.Completed
        && result.getStatus() != UpdateStatus.Acknowledged)
      throw new IllegalStateException("qdrant answered the write with " + result.getStatus());
  }

  /**
   * Waits for a write's answer: the gRPC deadline ends it, the extra second only guards against a
   * deadline that never fires.
   */
  private <T> T call(com.google.common.util.concurrent.ListenableFuture<T> future)
      throws ExecutionException, InterruptedException, TimeoutException {
    Duration limit = settings.syncTimeout().plusSeconds(1);
    try {
      return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | InterruptedException e) {
      future.cancel(true);
      throw e;
    }
  }
}
