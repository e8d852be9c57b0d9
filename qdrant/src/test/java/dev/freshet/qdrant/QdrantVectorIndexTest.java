package dev.freshet.qdrant;

import static io.qdrant.client.PointIdFactory.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.retrieval.IndexStatus;
import dev.freshet.actors.retrieval.IndexUnavailable;
import dev.freshet.actors.retrieval.NeighbourQuery;
import dev.freshet.actors.retrieval.Neighbours;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * The adapter against the target {@link QdrantTarget} chose: the in-process {@link FakeQdrant}, or
 * a real Qdrant when {@code FRESHET_QDRANT_URL} is set. Tests that inject failures need the fake
 * and say so through an assumption.
 */
class QdrantVectorIndexTest {

  private static final int DIM = 4;
  private static final String FAST =
      "freshet.vectors.qdrant { request-timeout = 2s, retry-backoff-min = 20ms,"
          + " retry-backoff-max = 200ms, breaker-reset-timeout = 300ms }\n";

  private QdrantTarget target;
  private ExecutorService executor;
  private Catalog catalog;
  private QdrantVectorIndex index;
  private QdrantClient inspector;

  @BeforeEach
  void setUp() throws Exception {
    target = QdrantTarget.create();
    executor = Executors.newFixedThreadPool(2);
    catalog = new Catalog(new MemoryCatalogStore(), executor);
    inspector = target.client();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (index != null) index.close();
    inspector.close();
    target.close();
    executor.shutdownNow();
  }

  // ---- helpers ----

  private QdrantVectorIndex start(String overrides) {
    index = QdrantVectors.open(target.settings(FAST + overrides), catalog, target.client());
    return index;
  }

  private static ItemUpsert item(String id, String category, ItemStatus status, float[] vector) {
    return new ItemUpsert(id, category, List.of(), 0L, status, 1.0, vector, "{}");
  }

  /** {@code n} active items {@code item-i} in {@code categories} categories, random vectors. */
  private static List<ItemUpsert> items(int n, int categories, long seed) {
    Random random = new Random(seed);
    List<ItemUpsert> items = new ArrayList<>();
    for (int i = 0; i < n; i++)
      items.add(item("item-" + i, "cat-" + (i % categories), ItemStatus.ACTIVE, vector(random)));
    return items;
  }

  private static float[] vector(Random random) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) v[d] = (float) random.nextGaussian();
    return v;
  }

  private void upsert(List<ItemUpsert> items) throws Exception {
    catalog.upsert(items).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  private void awaitSynced() throws InterruptedException {
    await("the sync to catch up", () -> index.status().pending() == 0);
  }

  private int dense(String id) {
    return catalog.snapshot().byId(id).orElseThrow().denseId();
  }

  private NeighbourQuery query(
      float[] vector, int k, String category, CatalogSnapshot snapshot, int... excluded) {
    return new NeighbourQuery(
        vector, k, Optional.ofNullable(category), RoaringBitmap.bitmapOf(excluded), snapshot);
  }

  private Neighbours nearest(NeighbourQuery query) throws Exception {
    return index.nearest(query).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** What an exact search over the query's own snapshot answers. */
  private static int[] exact(NeighbourQuery query) {
    CatalogSnapshot s = query.catalog();
    List<Item> candidates = new ArrayList<>();
    for (int d = 0; d < s.denseIdBound(); d++) {
      Item item = s.byDenseId(d);
      if (item != null && item.embedding() != null && query.accepts(d)) candidates.add(item);
    }
    candidates.sort(
        Comparator.comparingDouble((Item i) -> -cosine(query.vector(), i.embedding()))
            .thenComparingInt(Item::denseId));
    return candidates.stream().limit(query.k()).mapToInt(Item::denseId).toArray();
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private long count() throws Exception {
    return inspector.countAsync(target.collection, null, true).get(5, TimeUnit.SECONDS);
  }

  private Optional<RetrievedPoint> point(String itemId) throws Exception {
    List<RetrievedPoint> points =
        inspector
            .retrieveAsync(target.collection, id(dense(itemId)), true, false, null)
            .get(5, TimeUnit.SECONDS);
    return points.stream().findFirst();
  }

  private static Throwable failureOf(CompletionStage<Neighbours> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the stage completed normally");
  }

  private FakeQdrant fakeOnly() {
    assumeTrue(
        target.fake().isPresent(),
        "failure injection needs the in-process fake (FRESHET_QDRANT_URL is set)");
    return target.fake().get();
  }

  // ---- the collection and the sync ----

  @Test
  void createsTheCollectionWithTheFirstEmbeddingsDimensionCosineAndPayloadIndexes()
      throws Exception {
    start("");
    assertThat(index.status().state()).isEqualTo("empty");
    upsert(items(5, 2, 1));
    awaitSynced();

    CollectionInfo info =
        inspector.getCollectionInfoAsync(target.collection).get(5, TimeUnit.SECONDS);
    VectorParams params = info.getConfig().getParams().getVectorsConfig().getParams();
    assertThat(params.getSize()).isEqualTo(DIM);
    assertThat(params.getDistance()).isEqualTo(Distance.Cosine);
    assertThat(info.getPayloadSchemaMap()).containsKeys("status", "category");
    assertThat(count()).isEqualTo(5);

    IndexStatus status = index.status();
    assertThat(status.kind()).isEqualTo("qdrant");
    assertThat(status.state()).isEqualTo("closed");
    assertThat(status.items()).isEqualTo(5);
    assertThat(status.pending()).isZero();
    assertThat(status.dimension()).isEqualTo(DIM);
    assertThat(status.bytes()).isZero();
    assertThat(status.lastChangeAtMillis()).isPositive();
    target.fake().ifPresent(fake -> assertThat(fake.creates).hasSize(1));
  }

  @Test
  void writesInBatchesWithPayloadAndRewritesIdempotently() throws Exception {
    start("freshet.vectors.qdrant.upsert-batch-size = 3");
    List<ItemUpsert> items = items(10, 3, 2);
    upsert(items);
    awaitSynced();

    assertThat(count()).isEqualTo(10);
    assertThat(index.metrics().upsertedPoints()).isEqualTo(10);
    assertThat(index.metrics().batches()).isEqualTo(4); // 3 + 3 + 3 + 1
    target
        .fake()
        .ifPresent(
            fake -> {
              assertThat(fake.upserts)
                  .allSatisfy(u -> assertThat(u.getPointsCount()).isLessThanOrEqualTo(3));
              assertThat(fake.upserts).allSatisfy(u -> assertThat(u.getWait()).isTrue());
              assertThat(fake.upserts.stream().mapToInt(UpsertPoints::getPointsCount).sum())
                  .isEqualTo(10);
            });
    RetrievedPoint p = point("item-4").orElseThrow();
    assertThat(p.getPayloadMap().get("id").getStringValue()).isEqualTo("item-4");
    assertThat(p.getPayloadMap().get("status").getStringValue()).isEqualTo("active");
    assertThat(p.getPayloadMap().get("category").getStringValue()).isEqualTo("cat-1");

    upsert(items); // the same items again: the same points
    awaitSynced();
    assertThat(count()).isEqualTo(10);
    assertThat(index.metrics().upsertedPoints()).isEqualTo(20);
    assertThat(index.status().items()).isEqualTo(10);
  }

  @Test
  void archivingChangesTheStatusPayloadAndTheServerFilterExcludesIt() throws Exception {
    start("");
    List<ItemUpsert> items = items(20, 2, 3);
    upsert(items);
    awaitSynced();
    CatalogSnapshot before = catalog.snapshot();
    float[] q = items.get(7).embedding();
    NeighbourQuery all = query(q, 3, null, before);
    assertThat(nearest(all).denseIds()).containsExactly(exact(all));
    assertThat(nearest(all).denseIds()[0]).isEqualTo(dense("item-7"));

    ItemUpsert seven = items.get(7);
    upsert(List.of(item("item-7", seven.category(), ItemStatus.ARCHIVED, seven.embedding())));
    awaitSynced();
    assertThat(point("item-7").orElseThrow().getPayloadMap().get("status").getStringValue())
        .isEqualTo("archived");

    // the old snapshot still holds item-7 as active: only Qdrant's filter can leave it out, and
    // the answer is still k long
    Neighbours answer = nearest(query(q, 3, null, before));
    assertThat(answer.denseIds()).doesNotContain(dense("item-7")).hasSize(3);
    NeighbourQuery now = query(q, 3, null, catalog.snapshot());
    assertThat(nearest(now).denseIds()).containsExactly(exact(now));
  }

  @Test
  void removingAnEmbeddingDeletesThePoint() throws Exception {
    start("");
    List<ItemUpsert> items = items(6, 2, 4);
    upsert(items);
    awaitSynced();
    assertThat(point("item-2")).isPresent();

    upsert(List.of(item("item-2", "cat-0", ItemStatus.ACTIVE, null)));
    awaitSynced();
    assertThat(point("item-2")).isEmpty();
    assertThat(count()).isEqualTo(5);
    assertThat(index.metrics().deletedPoints()).isEqualTo(1);
    assertThat(index.status().items()).isEqualTo(5);
    NeighbourQuery q = query(items.get(2).embedding(), 6, null, catalog.snapshot());
    assertThat(nearest(q).denseIds()).doesNotContain(dense("item-2")).hasSize(5);
  }

  @Test
  void embeddingsThatCannotBeIndexedAreSkippedCountedAndNotFatal() throws Exception {
    start("");
    List<ItemUpsert> items = new ArrayList<>(items(4, 1, 5));
    items.add(item("short", "cat-0", ItemStatus.ACTIVE, new float[] {1, 2, 3}));
    items.add(item("zero", "cat-0", ItemStatus.ACTIVE, new float[DIM]));
    items.add(item("nan", "cat-0", ItemStatus.ACTIVE, new float[] {1, Float.NaN, 0, 0}));
    items.add(item("after", "cat-0", ItemStatus.ACTIVE, new float[] {1, 1, 1, 1}));
    upsert(items);
    awaitSynced();

    assertThat(index.metrics().skippedItems()).isEqualTo(3);
    assertThat(count()).isEqualTo(5);
    assertThat(point("short")).isEmpty();
    assertThat(point("after")).isPresent();
    assertThat(index.sync().failing()).isFalse();
  }

  @Test
  void anExistingCollectionsDimensionIsAdoptedAndAMismatchIsRefusedClearly() throws Exception {
    inspector
        .createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(target.collection)
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(
                            VectorParams.newBuilder().setSize(DIM).setDistance(Distance.Cosine)))
                .build())
        .get(5, TimeUnit.SECONDS);
    start("freshet.vectors.qdrant.dimension = 8");
    upsert(items(3, 1, 6));
    await("a failed set-up", () -> index.metrics().failedBatches() >= 2);
    assertThat(index.sync().failing()).isTrue();
    assertThat(index.status().pending()).isEqualTo(3);
    index.close();

    index = null;
    start(""); // dimension 0: take the collection's
    awaitSynced();
    assertThat(index.status().dimension()).isEqualTo(DIM);
    assertThat(count()).isEqualTo(3);
    CollectionInfo info =
        inspector.getCollectionInfoAsync(target.collection).get(5, TimeUnit.SECONDS);
    assertThat(info.getPayloadSchemaMap()).containsKeys("status", "category");
  }

  @Test
  void aCollectionReplacedUnderTheSyncIsReportedAndADeletedOneRewrittenWhole() throws Exception {
    start("");
    List<ItemUpsert> items = items(8, 2, 17);
    upsert(items);
    awaitSynced();

    // an operator replaces the collection by one of another dimension
    inspector.deleteCollectionAsync(target.collection).get(5, TimeUnit.SECONDS);
    inspector
        .createCollectionAsync(
            target.collection,
            VectorParams.newBuilder().setSize(8).setDistance(Distance.Cosine).build())
        .get(5, TimeUnit.SECONDS);
    upsert(List.of(item("item-3", "cat-1", ItemStatus.ARCHIVED, items.get(3).embedding())));
    await("the mismatch to be found", () -> index.metrics().failedBatches() >= 2);
    assertThat(index.sync().failing()).isTrue();
    assertThat(index.status().pending()).isEqualTo(1); // kept, not dropped
    assertThat(count()).isZero();

    // and then deletes it: the sync creates it again and writes the whole catalog, not only item-3
    inspector.deleteCollectionAsync(target.collection).get(5, TimeUnit.SECONDS);
    awaitSynced();
    assertThat(index.sync().failing()).isFalse();
    assertThat(count()).isEqualTo(8);
    assertThat(point("item-3").orElseThrow().getPayloadMap().get("status").getStringValue())
        .isEqualTo("archived");
    NeighbourQuery q = query(items.get(5).embedding(), 3, null, catalog.snapshot());
    assertThat(nearest(q).denseIds()).containsExactly(exact(q));
  }

  // ---- searching ----

  @Test
  void searchFiltersByCategoryAndExcludedIdsOnTheServer() throws Exception {
    start("");
    List<ItemUpsert> items = items(40, 3, 7);
    upsert(items);
    awaitSynced();
    float[] q = items.get(0).embedding();
    int[] bestOfCategory = exact(query(q, 2, "cat-1", catalog.snapshot()));

    NeighbourQuery filtered = query(q, 5, "cat-1", catalog.snapshot(), bestOfCategory);
    Neighbours answer = nearest(filtered);
    assertThat(answer.denseIds()).containsExactly(exact(filtered));
    for (int i = 0; i < answer.size(); i++) {
      Item item = catalog.snapshot().byDenseId(answer.denseIds()[i]);
      assertThat(item.category()).isEqualTo("cat-1");
      assertThat((double) answer.scores()[i]).isCloseTo(cosine(q, item.embedding()), within(1e-4));
    }
    assertThat(index.metrics().hitsDroppedByPostFilter()).isZero();
    target
        .fake()
        .ifPresent(
            fake -> {
              SearchPoints sent = fake.searches.get(fake.searches.size() - 1);
              assertThat(sent.getLimit()).isEqualTo(5);
              assertThat(sent.getFilter().getMustNotList())
                  .singleElement()
                  .satisfies(c -> assertThat(c.getHasId().getHasIdCount()).isEqualTo(2));
            });
  }

  @Test
  void excludedIdsBeyondTheCapAreOverFetchedAndFilteredOnTheNode() throws Exception {
    start("freshet.vectors.qdrant.max-excluded-ids = 2");
    List<ItemUpsert> items = items(40, 3, 8);
    upsert(items);
    awaitSynced();
    float[] q = items.get(5).embedding();
    int[] best = exact(query(q, 6, null, catalog.snapshot()));

    NeighbourQuery filtered = query(q, 5, null, catalog.snapshot(), best);
    Neighbours answer = nearest(filtered);
    assertThat(answer.denseIds()).containsExactly(exact(filtered)).doesNotContain(best);
    // 6 excluded, 2 sent: Qdrant answers the 4 others first, the node drops them
    assertThat(index.metrics().hitsDroppedByPostFilter()).isEqualTo(4);
    target
        .fake()
        .ifPresent(
            fake -> {
              SearchPoints sent = fake.searches.get(fake.searches.size() - 1);
              assertThat(sent.getLimit()).isEqualTo(5 + 4);
              List<Condition> mustNot = sent.getFilter().getMustNotList();
              assertThat(mustNot.get(0).getHasId().getHasIdCount()).isEqualTo(2);
            });
  }

  @Test
  void theOverFetchIsBounded() throws Exception {
    start("freshet.vectors.qdrant { max-excluded-ids = 1, max-over-fetch = 2 }");
    upsert(items(10, 1, 9));
    awaitSynced();
    SearchPoints request =
        index.request(query(new float[] {1, 0, 0, 0}, 3, null, catalog.snapshot(), 0, 1, 2, 3, 4));
    assertThat(request.getLimit()).isEqualTo(3 + 2);
    assertThat(request.getFilter().getMustNot(0).getHasId().getHasIdCount()).isEqualTo(1);
  }

  @Test
  void hitsTheNodesSnapshotRefusesAreDroppedAndNotReplaced() throws Exception {
    start("");
    List<ItemUpsert> items = items(20, 2, 10);
    upsert(items);
    awaitSynced();
    float[] q = items.get(3).embedding();
    CatalogSnapshot synced = catalog.snapshot();
    int[] expected = exact(query(q, 4, null, synced));

    // the node has archived the best item, Qdrant has not heard of it yet
    Item best = synced.byDenseId(expected[0]);
    Item archived =
        new Item(
            best.id(),
            best.denseId(),
            best.category(),
            best.tags(),
            best.createdAtMillis(),
            ItemStatus.ARCHIVED,
            best.popularity(),
            best.embedding(),
            best.attributesJson());
    CatalogSnapshot ahead = synced.withChanges(List.of(archived), synced.version() + 1);
    Neighbours answer = nearest(query(q, 4, null, ahead));
    assertThat(answer.denseIds()).containsExactly(Arrays.copyOfRange(expected, 1, 4));
    assertThat(index.metrics().hitsDroppedByPostFilter()).isEqualTo(1);

    // a point whose payload names another item than the node's dense id does (another catalog)
    Item second = synced.byDenseId(expected[1]);
    Item renamed =
        new Item(
            "not-" + second.id(),
            second.denseId(),
            second.category(),
            second.tags(),
            second.createdAtMillis(),
            second.status(),
            second.popularity(),
            second.embedding(),
            second.attributesJson());
    CatalogSnapshot foreign = synced.withChanges(List.of(renamed), synced.version() + 1);
    assertThat(nearest(query(q, 4, null, foreign)).denseIds()).doesNotContain(expected[1]);
  }

  @Test
  void beforeTheCollectionExistsSearchesFailWithoutOpeningTheBreaker() throws Exception {
    start("freshet.vectors.qdrant.breaker-max-failures = 2");
    upsert(List.of(item("plain", "cat-0", ItemStatus.ACTIVE, null))); // no embedding anywhere
    awaitSynced();
    NeighbourQuery q = query(new float[] {1, 0, 0, 0}, 3, null, catalog.snapshot());
    for (int i = 0; i < 3; i++) {
      Throwable failure = failureOf(index.nearest(q));
      assertThat(((IndexUnavailable) failure).reason())
          .isEqualTo("qdrant has no collection " + target.collection);
    }
    assertThat(index.status().state()).isEqualTo("empty");
    assertThat(index.metrics().searches()).isEqualTo(3);
  }

  @Test
  void aQueryOfTheWrongDimensionFailsTheStageWithoutThrowing() throws Exception {
    start("");
    upsert(items(3, 1, 11));
    awaitSynced();
    CompletionStage<Neighbours> stage =
        index.nearest(query(new float[] {1, 0, 0}, 3, null, catalog.snapshot()));
    assertThat(failureOf(stage)).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- failures (the fake only) ----

  @Test
  void aFailingQdrantCompletesTheStageExceptionally() throws Exception {
    FakeQdrant fake = fakeOnly();
    start("");
    upsert(items(5, 1, 12));
    awaitSynced();
    fake.mode = FakeQdrant.Mode.FAIL;

    CompletionStage<Neighbours> stage =
        index.nearest(query(new float[] {1, 0, 0, 0}, 3, null, catalog.snapshot()));
    Throwable failure = failureOf(stage);
    assertThat(failure).isInstanceOf(IndexUnavailable.class);
    assertThat(((IndexUnavailable) failure).reason()).isEqualTo("qdrant failed: UNAVAILABLE");
    // as the stage's own failure, not wrapped, for callers that recover with handle/exceptionally
    Throwable seen = stage.handle((answer, t) -> t).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(seen).isInstanceOf(IndexUnavailable.class);
    assertThat(index.metrics().searchFailures()).isEqualTo(1);
    assertThat(index.metrics().searches()).isEqualTo(1);
  }

  @Test
  void aHangingQdrantTimesOutWithinTheRequestTimeout() throws Exception {
    FakeQdrant fake = fakeOnly();
    start("freshet.vectors.qdrant.request-timeout = 100ms");
    upsert(items(5, 1, 13));
    awaitSynced();
    fake.mode = FakeQdrant.Mode.HANG;

    long started = System.nanoTime();
    CompletableFuture<Neighbours> stage =
        index
            .nearest(query(new float[] {1, 0, 0, 0}, 3, null, catalog.snapshot()))
            .toCompletableFuture();
    Throwable failure = failureOf(stage);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(failure).isInstanceOf(IndexUnavailable.class);
    assertThat(((IndexUnavailable) failure).reason())
        .isEqualTo("qdrant did not answer within 100 ms");
    assertThat(millis).isBetween(90L, 1_000L);
    assertThat(index.metrics().searchTimeouts()).isEqualTo(1);
    assertThat(index.metrics().searchLatencyNanos()).isGreaterThanOrEqualTo(90_000_000L);
  }

  @Test
  void theBreakerOpensAfterFailuresAndAProbeClosesIt() throws Exception {
    FakeQdrant fake = fakeOnly();
    start("freshet.vectors.qdrant.breaker-max-failures = 2");
    upsert(items(5, 1, 14));
    awaitSynced();
    NeighbourQuery q = query(new float[] {1, 0, 0, 0}, 3, null, catalog.snapshot());
    fake.mode = FakeQdrant.Mode.FAIL;
    failureOf(index.nearest(q));
    failureOf(index.nearest(q));
    assertThat(index.status().state()).isEqualTo("open");

    Throwable rejected = failureOf(index.nearest(q));
    assertThat(((IndexUnavailable) rejected).reason()).isEqualTo("qdrant circuit open");
    assertThat(index.metrics().searches()).isEqualTo(2); // the third never went out
    assertThat(index.metrics().searchesRejectedByBreaker()).isEqualTo(1);

    fake.mode = FakeQdrant.Mode.NORMAL;
    await("the breaker to half-open", () -> index.status().state().equals("half-open"));
    assertThat(nearest(q).denseIds()).containsExactly(exact(q));
    assertThat(index.status().state()).isEqualTo("closed");
  }

  @Test
  void qdrantDownAtStartIsRetriedAndTheSyncCatchesUpWhenItReturns() throws Exception {
    FakeQdrant fake = fakeOnly();
    fake.mode = FakeQdrant.Mode.FAIL;
    start("freshet.vectors.qdrant.upsert-batch-size = 4");
    List<ItemUpsert> items = items(10, 2, 15);
    upsert(items);
    await("retries", () -> index.metrics().retries() >= 3);
    assertThat(index.status().pending()).isEqualTo(10);
    assertThat(index.status().items()).isZero();
    assertThat(index.sync().failing()).isTrue();
    await("the breaker to open", () -> !index.status().state().equals("closed"));
    // a newer change of an item waiting to be written supersedes the older one
    upsert(List.of(item("item-1", "cat-1", ItemStatus.ARCHIVED, items.get(1).embedding())));
    assertThat(index.status().pending()).isEqualTo(10);

    fake.mode = FakeQdrant.Mode.NORMAL;
    awaitSynced();
    assertThat(count()).isEqualTo(10);
    assertThat(index.metrics().upsertedPoints()).isEqualTo(10);
    assertThat(index.metrics().failedBatches()).isGreaterThanOrEqualTo(3);
    assertThat(point("item-1").orElseThrow().getPayloadMap().get("status").getStringValue())
        .isEqualTo("archived");
    assertThat(index.sync().failing()).isFalse();
    // the sync's failures opened the breaker; a search probe closes it again
    await("a probe to be allowed", () -> !index.status().state().equals("open"));
    NeighbourQuery q = query(items.get(4).embedding(), 3, null, catalog.snapshot());
    assertThat(nearest(q).denseIds()).containsExactly(exact(q));
    assertThat(index.status().state()).isEqualTo("closed");
  }

  @Test
  void aWriteThatTimesOutIsRetriedUntilItSucceeds() throws Exception {
    FakeQdrant fake = fakeOnly();
    start("freshet.vectors.qdrant.upsert-batch-size = 5");
    List<ItemUpsert> items = items(5, 1, 16);
    upsert(items);
    awaitSynced();
    fake.mode = FakeQdrant.Mode.HANG; // a restarted node rewrites everything; the writes hang
    index.close();
    index = null;
    start("freshet.vectors.qdrant { upsert-batch-size = 5, sync-timeout = 200ms }");
    await("a timed-out write", () -> index.metrics().failedBatches() >= 1);
    assertThat(index.status().pending()).isEqualTo(5);
    upsert(List.of(item("item-0", "cat-0", ItemStatus.FLAGGED, items.get(0).embedding())));
    fake.mode = FakeQdrant.Mode.NORMAL;
    awaitSynced();
    assertThat(index.metrics().upsertedPoints()).isEqualTo(5); // the retried batch, once
    assertThat(index.metrics().retries()).isGreaterThanOrEqualTo(1);
    assertThat(point("item-0").orElseThrow().getPayloadMap().get("status").getStringValue())
        .isEqualTo("flagged");
    assertThat(count()).isEqualTo(5);
  }
}
