package dev.freshet.actors.popularity;

import static dev.freshet.actors.catalog.TestCatalogs.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.ranking.ItemLists;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PopularityTest {

  private static final long HOUR = 3_600_000L;

  @Test
  void boardsDecayAndAddWindows() {
    PopularityBoard board =
        PopularityBoard.empty()
            .merge(new PopularityDeltas(Map.of(3, 4.0), Map.of("news", 4.0), 0), HOUR)
            .merge(new PopularityDeltas(Map.of(3, 1.0, 7, 2.0), Map.of("news", 1.0), HOUR), HOUR);

    assertThat(board.item(3)).isCloseTo(3.0, offset(1e-12)); // 4 halved, plus 1
    assertThat(board.item(7)).isEqualTo(2.0);
    assertThat(board.item(5)).isZero();
    assertThat(board.item(99)).isZero();
    assertThat(board.category("news")).isCloseTo(3.0, offset(1e-12));
    assertThat(board.maxItem()).isCloseTo(3.0, offset(1e-12));
    assertThat(board.asOf()).isEqualTo(HOUR);
    // a late window never rewinds the board, and counts as of its own time: an hour old, half
    PopularityBoard late =
        board.merge(new PopularityDeltas(Map.of(7, 1.0), Map.of("news", 2.0), 0), HOUR);
    assertThat(late.asOf()).isEqualTo(HOUR);
    assertThat(late.item(7)).isCloseTo(2.5, offset(1e-12));
    assertThat(late.category("news")).isCloseTo(4.0, offset(1e-12));
    // the same as if the window had arrived in time
    PopularityBoard inTime =
        PopularityBoard.empty()
            .merge(new PopularityDeltas(Map.of(3, 4.0, 7, 1.0), Map.of("news", 6.0), 0), HOUR)
            .merge(new PopularityDeltas(Map.of(3, 1.0, 7, 2.0), Map.of("news", 1.0), HOUR), HOUR);
    assertThat(late.item(7)).isCloseTo(inTime.item(7), offset(1e-12));
    assertThat(late.item(3)).isCloseTo(inTime.item(3), offset(1e-12));
    assertThat(late.category("news")).isCloseTo(inTime.category("news"), offset(1e-12));
  }

  @Test
  void popularListsLiveInteractionsFirstThenCatalogPopularity() {
    CatalogSnapshot catalog = TestCatalogs.ofSize(10, 2); // item i has catalog popularity 10 - i
    PopularityBoard board =
        PopularityBoard.empty()
            .merge(new PopularityDeltas(Map.of(8, 5.0, 6, 9.0), Map.of(), 0), HOUR);

    assertThat(ItemLists.popular(catalog, board, Optional.empty(), 4))
        .extracting(l -> l.item().id())
        .containsExactly("item-6", "item-8", "item-0", "item-1");
    assertThat(ItemLists.popular(catalog, board, Optional.of("cat-1"), 2))
        .extracting(l -> l.item().id())
        .containsExactly("item-1", "item-3");
  }

  @Test
  void latestListsNewestActiveItems() {
    CatalogSnapshot catalog =
        TestCatalogs.ofSize(5, 1).withChanges(List.of(item(4, "cat-0", 1, ItemStatus.ARCHIVED)), 2);

    assertThat(ItemLists.latest(catalog, PopularityBoard.empty(), Optional.empty(), 3))
        .extracting(l -> l.item().id())
        .containsExactly("item-3", "item-2", "item-1");
  }
}
