package dev.freshet.actors.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class EmbeddedVectorIndexTest {

  private static final int DIM = 16;
  private final Random random = new Random(7);
  private EmbeddedVectorIndex index;
  private CatalogSnapshot catalog = CatalogSnapshot.empty();
  private long version;

  @AfterEach
  void close() {
    if (index != null) index.close();
  }

  private EmbeddedVectorIndex index(EmbeddedIndexSettings settings) {
    index = new EmbeddedVectorIndex(settings);
    return index;
  }

  private static EmbeddedIndexSettings withExactBelow(int exactBelow) {
    var d = EmbeddedIndexSettings.defaults();
    return new EmbeddedIndexSettings(
        true,
        d.maxConnections(),
        d.beamWidth(),
        d.searchBeam(),
        exactBelow,
        d.maxPendingScan(),
        d.rebuildDeadShare(),
        d.seed());
  }

  private float[] randomVector() {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) v[d] = (float) random.nextGaussian();
    return v;
  }

  private static Item item(int dense, String category, ItemStatus status, float[] embedding) {
    return new Item("i" + dense, dense, category, List.of(), 0L, status, 1.0, embedding, "{}");
  }

  /** Changes the catalog and tells the index, as the node's Catalog does. */
  private void change(List<Item> items) {
    catalog = catalog.withChanges(items, ++version);
    index.changed(items, catalog);
  }

  private List<Item> randomItems(int from, int count) {
    List<Item> items = new ArrayList<>();
    for (int i = from; i < from + count; i++)
      items.add(item(i, "c" + (i % 10), ItemStatus.ACTIVE, randomVector()));
    return items;
  }

  private NeighbourQuery query(float[] v, int k, RoaringBitmap excluded) {
    return new NeighbourQuery(v, k, Optional.empty(), excluded, catalog);
  }

  private int[] exact(float[] v, int k, RoaringBitmap excluded, Optional<String> category) {
    BestK best = new BestK(k);
    float[] unit = v.clone();
    double n = 0;
    for (float x : v) n += x * x;
    for (int d = 0; d < DIM; d++) unit[d] = (float) (v[d] / Math.sqrt(n));
    var q = new NeighbourQuery(v, k, category, excluded, catalog);
    for (int id = 0; id < catalog.denseIdBound(); id++) {
      if (!q.accepts(id)) continue;
      float[] e = catalog.byDenseId(id).embedding();
      if (e == null) continue;
      best.offer(id, (float) cosine(unit, e));
    }
    return best.drain().denseIds();
  }

  private static double cosine(float[] unit, float[] e) {
    double dot = 0, n = 0;
    for (int d = 0; d < e.length; d++) {
      dot += unit[d] * e[d];
      n += e[d] * e[d];
    }
    return dot / Math.sqrt(n);
  }

  private static double recall(int[] got, int[] truth) {
    RoaringBitmap t = RoaringBitmap.bitmapOf(truth);
    int hits = 0;
    for (int id : got) if (t.contains(id)) hits++;
    return truth.length == 0 ? 1.0 : hits / (double) truth.length;
  }

  @Test
  void answersTheNearestItemsWithHighRecallAgainstExactSearch() throws Exception {
    index(withExactBelow(0));
    change(randomItems(0, 6_000));
    index.awaitIdle(60, TimeUnit.SECONDS);
    assertThat(index.status().state()).isEqualTo("ready");
    assertThat(index.status().items()).isEqualTo(6_000);
    double sum = 0;
    for (int q = 0; q < 50; q++) {
      float[] v = randomVector();
      Neighbours got = index.search(query(v, 20, new RoaringBitmap()));
      assertThat(got.size()).isEqualTo(20);
      for (int i = 1; i < got.size(); i++)
        assertThat(got.scores()[i]).isLessThanOrEqualTo(got.scores()[i - 1]);
      sum += recall(got.denseIds(), exact(v, 20, new RoaringBitmap(), Optional.empty()));
    }
    assertThat(sum / 50).isGreaterThan(0.95);
  }

  @Test
  void neverAnswersExcludedInactiveOrOtherCategoriesAndStillFillsTheList() throws Exception {
    index(withExactBelow(0));
    List<Item> items = randomItems(0, 3_000);
    // every third item archived or flagged
    for (int i = 0; i < items.size(); i += 3) {
      Item it = items.get(i);
      items.set(
          i,
          item(
              it.denseId(),
              it.category(),
              i % 2 == 0 ? ItemStatus.ARCHIVED : ItemStatus.FLAGGED,
              it.embedding()));
    }
    change(items);
    index.awaitIdle(60, TimeUnit.SECONDS);
    RoaringBitmap excluded = new RoaringBitmap();
    for (int i = 0; i < 3_000; i += 2) excluded.add(i);
    for (int q = 0; q < 20; q++) {
      float[] v = randomVector();
      Neighbours got = index.search(query(v, 50, excluded));
      assertThat(got.size()).isEqualTo(50);
      for (int id : got.denseIds()) {
        assertThat(excluded.contains(id)).isFalse();
        assertThat(catalog.byDenseId(id).isActive()).isTrue();
      }
      Neighbours inCategory =
          index.search(new NeighbourQuery(v, 50, Optional.of("c3"), excluded, catalog));
      // c3 holds 300 items, half excluded, a third of the rest inactive: exactly as many as
      // accepted
      int accepted = 0;
      for (int id = 0; id < 3_000; id++)
        if (new NeighbourQuery(v, 1, Optional.of("c3"), excluded, catalog).accepts(id)) accepted++;
      assertThat(inCategory.size()).isEqualTo(Math.min(50, accepted));
      for (int id : inCategory.denseIds())
        assertThat(catalog.byDenseId(id).category()).isEqualTo("c3");
    }
  }

  @Test
  void aNarrowFilterIsAnsweredExactly() throws Exception {
    index(EmbeddedIndexSettings.defaults());
    change(randomItems(0, 4_000));
    index.awaitIdle(60, TimeUnit.SECONDS);
    // the user has seen everything but 30 items: the graph would have to wade through rejections
    RoaringBitmap excluded = new RoaringBitmap();
    excluded.add(0L, 4_000L);
    for (int id = 100; id < 4_000; id += 130) excluded.remove(id);
    float[] v = randomVector();
    Neighbours got = index.search(query(v, 20, excluded));
    assertThat(got.denseIds()).containsExactly(exact(v, 20, excluded, Optional.empty()));
  }

  @Test
  void aChangeIsAnsweredAtOnceEvenBeforeTheGraphHasIt() throws Exception {
    index(withExactBelow(0));
    change(randomItems(0, 2_000));
    index.awaitIdle(60, TimeUnit.SECONDS);
    float[] target = randomVector();
    // a new item exactly at the query, and an old item moved there
    change(
        List.of(
            item(2_000, "new", ItemStatus.ACTIVE, target.clone()),
            item(5, "c5", ItemStatus.ACTIVE, target.clone())));
    Neighbours got = index.search(query(target, 2, new RoaringBitmap()));
    assertThat(got.denseIds()).containsExactlyInAnyOrder(2_000, 5);
    index.awaitIdle(60, TimeUnit.SECONDS);
    got = index.search(query(target, 2, new RoaringBitmap()));
    assertThat(got.denseIds()).containsExactlyInAnyOrder(2_000, 5);

    // moved away again: its old node must not answer for it
    float[] away = target.clone();
    for (int d = 0; d < DIM; d++) away[d] = -away[d];
    change(List.of(item(5, "c5", ItemStatus.ACTIVE, away)));
    index.awaitIdle(60, TimeUnit.SECONDS);
    assertThat(index.search(query(target, 1, new RoaringBitmap())).denseIds())
        .containsExactly(2_000);
    assertThat(index.search(query(away, 1, new RoaringBitmap())).denseIds()).containsExactly(5);

    // archived, then back: a status is the query's filter, not the graph's
    change(List.of(item(2_000, "new", ItemStatus.ARCHIVED, target.clone())));
    assertThat(index.search(query(target, 5, new RoaringBitmap())).denseIds())
        .doesNotContain(2_000);
    change(List.of(item(2_000, "new", ItemStatus.ACTIVE, target.clone())));
    assertThat(index.search(query(target, 1, new RoaringBitmap())).denseIds())
        .containsExactly(2_000);

    // the embedding removed: gone from the index
    change(List.of(item(2_000, "new", ItemStatus.ACTIVE, null)));
    index.awaitIdle(60, TimeUnit.SECONDS);
    assertThat(index.search(query(target, 5, new RoaringBitmap())).denseIds())
        .doesNotContain(2_000);
    assertThat(index.status().items())
        .isEqualTo(2_000); // 2,000 and the new one, less the one removed
  }

  @Test
  void itemsOfAnotherDimensionAreSkippedAndCounted() throws Exception {
    index(EmbeddedIndexSettings.defaults());
    change(randomItems(0, 100));
    change(List.of(item(100, "odd", ItemStatus.ACTIVE, new float[] {1f, 2f})));
    index.awaitIdle(30, TimeUnit.SECONDS);
    assertThat(index.skippedDimension()).isEqualTo(1);
    assertThat(index.status().items()).isEqualTo(100);
    assertThat(index.status().dimension()).isEqualTo(DIM);
    // a query of another dimension finds nothing instead of failing
    assertThat(index.search(query(new float[] {1f, 2f}, 5, new RoaringBitmap())).size()).isZero();
  }

  @Test
  void deadNodesAreRebuiltAway() throws Exception {
    index(withExactBelow(0));
    change(randomItems(0, 3_000));
    index.awaitIdle(60, TimeUnit.SECONDS);
    long before = index.rebuilds();
    // move 1,500 items: half the graph dead, more than the rebuild share
    List<Item> moved = new ArrayList<>();
    for (int i = 0; i < 1_500; i++)
      moved.add(item(i, "c" + (i % 10), ItemStatus.ACTIVE, randomVector()));
    for (int from = 0; from < 1_500; from += 100) change(moved.subList(from, from + 100));
    index.awaitIdle(60, TimeUnit.SECONDS);
    assertThat(index.rebuilds()).isGreaterThan(before);
    assertThat(index.status().items()).isEqualTo(3_000);
    float[] v = moved.get(7).embedding();
    assertThat(index.search(query(v, 1, new RoaringBitmap())).denseIds()).containsExactly(7);
  }

  @Test
  void tooManyPendingChangesAnswerBuildingNotAWrongList() throws Exception {
    var d = EmbeddedIndexSettings.defaults();
    index(
        new EmbeddedIndexSettings(
            true, d.maxConnections(), d.beamWidth(), d.searchBeam(), 0, 100, 0.3, 1L));
    change(randomItems(0, 20_000));
    // the first build of 20,000 takes a while: until it is done, queries are refused
    assertThatThrownBy(() -> index.search(query(randomVector(), 5, new RoaringBitmap())))
        .isInstanceOf(IndexUnavailable.class)
        .hasMessageContaining("building");
    assertThat(index.status().state()).isEqualTo("building");
    index.awaitIdle(120, TimeUnit.SECONDS);
    assertThat(index.status().state()).isEqualTo("ready");
    assertThat(index.search(query(randomVector(), 5, new RoaringBitmap())).size()).isEqualTo(5);
  }

  @Test
  void searchesRunWhileTheGraphGrows() throws Exception {
    index(withExactBelow(0));
    change(randomItems(0, 1_000));
    index.awaitIdle(60, TimeUnit.SECONDS);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CatalogSnapshot[] seen = {catalog};
    Thread reader =
        new Thread(
            () -> {
              Random r = new Random(3);
              try {
                for (int q = 0; q < 2_000; q++) {
                  float[] v = new float[DIM];
                  for (int d = 0; d < DIM; d++) v[d] = (float) r.nextGaussian();
                  Neighbours n =
                      index.search(
                          new NeighbourQuery(
                              v, 10, Optional.empty(), new RoaringBitmap(), seen[0]));
                  if (n.size() != 10) throw new AssertionError("short answer " + n.size());
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    reader.start();
    for (int from = 1_000; from < 3_000; from += 50) {
      change(randomItems(from, 50));
      seen[0] = catalog;
    }
    reader.join();
    index.awaitIdle(60, TimeUnit.SECONDS);
    assertThat(failure.get()).isNull();
    assertThat(index.status().items()).isEqualTo(3_000);
  }
}
