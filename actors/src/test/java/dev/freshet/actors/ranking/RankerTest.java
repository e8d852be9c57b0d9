package dev.freshet.actors.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.user.SeenSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankerTest {

  private final CatalogSnapshot catalog = TestCatalogs.ofSize(10, 2);

  @Test
  void topKUnseenByPopularity() {
    SeenSet seen = new SeenSet();
    seen.addAll(new int[] {0, 2});

    Ranking ranking =
        Ranker.rank(catalog, seen, new RankingRequest(3, Optional.empty(), Set.of(), false), "r1");

    assertThat(ranking.items()).extracting(RankedItem::id).containsExactly("item-1", "item-3", "item-4");
    assertThat(ranking.items()).extracting(RankedItem::position).containsExactly(1, 2, 3);
    assertThat(ranking.items().get(0).score()).isGreaterThan(ranking.items().get(1).score());
    assertThat(ranking.items().get(0).explain()).isEmpty();
    assertThat(ranking.rankingId()).isEqualTo("r1");
  }

  @Test
  void categoryExcludeAndExplain() {
    Ranking ranking =
        Ranker.rank(
            catalog,
            new SeenSet(),
            new RankingRequest(2, Optional.of("cat-1"), Set.of("item-1"), true),
            "r2");

    assertThat(ranking.items()).extracting(RankedItem::id).containsExactly("item-3", "item-5");
    RankedItem first = ranking.items().get(0);
    assertThat(first.explain().values().stream().mapToDouble(Double::doubleValue).sum())
        .isEqualTo(first.score());
    // the most popular item scores 1, so item-3 (popularity 7 of 10) scores log(8)/log(11)
    assertThat(first.score()).isCloseTo(Math.log1p(7) / Math.log1p(10), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void exhaustedPoolGivesFewerItemsNotAnError() {
    SeenSet seen = new SeenSet();
    for (int i = 0; i < 9; i++) seen.addAll(new int[] {i});

    Ranking ranking =
        Ranker.rank(catalog, seen, new RankingRequest(5, Optional.empty(), Set.of(), false), "r3");

    assertThat(ranking.items()).extracting(RankedItem::id).containsExactly("item-9");
  }
}
