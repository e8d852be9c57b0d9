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
}
