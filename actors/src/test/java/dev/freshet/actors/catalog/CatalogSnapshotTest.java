package dev.freshet.actors.catalog;

import static dev.freshet.actors.catalog.TestCatalogs.item;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogSnapshotTest {

  @Test
  void servesByPopularityThenRecencyAndOnlyActiveItems() {
    CatalogSnapshot snapshot =
        CatalogSnapshot.empty()
            .withChanges(
                List.of(
                    item(0, "a", 5, ItemStatus.ACTIVE),
                    item(1, "a", 9, ItemStatus.ACTIVE),
                    item(2, "b", 9, ItemStatus.ACTIVE), // as popular as 1 but newer
                    item(3, "b", 50, ItemStatus.ARCHIVED)),
                7);

    assertThat(snapshot.activeInServingOrder(Optional.empty())).containsExactly(2, 1, 0);
    assertThat(snapshot.activeInServingOrder(Optional.of("a"))).containsExactly(1, 0);
    assertThat(snapshot.activeInServingOrder(Optional.of("zzz"))).isEmpty();
    assertThat(snapshot.activeCount()).isEqualTo(3);
    assertThat(snapshot.maxPopularity()).isEqualTo(9);
    assertThat(snapshot.version()).isEqualTo(7);
    assertThat(snapshot.byDenseId(3).status()).isEqualTo(ItemStatus.ARCHIVED);
  }

  @Test
  void changesReplaceItemsWithoutTouchingTheOldSnapshot() {
    CatalogSnapshot before =
        CatalogSnapshot.empty().withChanges(List.of(item(0, "a", 1, ItemStatus.ACTIVE)), 1);
    CatalogSnapshot after =
        before.withChanges(
            List.of(item(0, "a", 1, ItemStatus.ARCHIVED), item(4, "c", 2, ItemStatus.ACTIVE)), 2);

    assertThat(before.activeCount()).isEqualTo(1);
    assertThat(before.byId("item-0").orElseThrow().isActive()).isTrue();
    assertThat(after.activeInServingOrder(Optional.empty())).containsExactly(4);
    assertThat(after.byId("item-0").orElseThrow().isActive()).isFalse();
    assertThat(after.byDenseId(4).id()).isEqualTo("item-4");
    assertThat(after.byDenseId(99)).isNull();
    assertThat(after.version()).isEqualTo(2);
  }

  /**
   * A snapshot built change by change (its orders merged) serves exactly what one built from
   * scratch serves: every order, per category too, the active bitmaps, the counts.
   */
  @Test
  void mergedOrdersAreTheFullSortsThroughRandomChanges() {
    java.util.Random random = new java.util.Random(17);
    ItemStatus[] statuses = ItemStatus.values();
    java.util.Map<Integer, Item> current = new java.util.HashMap<>();
    CatalogSnapshot merged = CatalogSnapshot.empty();
    long version = 0;
    for (int round = 0; round < 300; round++) {
      List<Item> changes = new java.util.ArrayList<>();
      int size = round == 0 ? 400 : 1 + random.nextInt(12);
      for (int c = 0; c < size; c++) {
        int id = random.nextInt(round == 0 ? 400 : 480);
        // ties in popularity and time on purpose: the dense id must settle them the same way
        Item item =
            new Item(
                "item-" + id,
                id,
                "cat-" + random.nextInt(round % 50 == 0 ? 3 : 7),
                List.of(),
                1_000L * random.nextInt(40),
                statuses[random.nextInt(statuses.length)],
                random.nextInt(10),
                null,
                "{}");
        changes.add(item);
        current.put(id, item);
      }
      merged = merged.withChanges(changes, ++version);
      CatalogSnapshot full =
          CatalogSnapshot.empty().withChanges(new java.util.ArrayList<>(current.values()), version);
      assertThat(merged.activeInServingOrder(Optional.empty()))
          .containsExactly(full.activeInServingOrder(Optional.empty()));
      assertThat(merged.activeNewestFirst(Optional.empty()))
          .containsExactly(full.activeNewestFirst(Optional.empty()));
      for (int c = 0; c < 7; c++) {
        Optional<String> category = Optional.of("cat-" + c);
        assertThat(merged.activeInServingOrder(category))
            .as("round %d, %s", round, category)
            .containsExactly(full.activeInServingOrder(category));
        assertThat(merged.activeNewestFirst(category))
            .containsExactly(full.activeNewestFirst(category));
      }
      assertThat(merged.activeBitmapsByCategory()).isEqualTo(full.activeBitmapsByCategory());
      assertThat(merged.activeBitmap()).isEqualTo(full.activeBitmap());
      assertThat(merged.activeCount()).isEqualTo(full.activeCount());
      assertThat(merged.maxPopularity()).isEqualTo(full.maxPopularity());
    }
    // a version without changes keeps every order
    CatalogSnapshot bumped = merged.withChanges(List.of(), version + 1);
    assertThat(bumped.activeInServingOrder(Optional.empty()))
        .containsExactly(merged.activeInServingOrder(Optional.empty()));
    assertThat(bumped.version()).isEqualTo(version + 1);
  }
}
