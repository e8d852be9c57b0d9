package dev.freshet.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.ItemUpsert;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DemoCatalogTest {

  private final List<ItemUpsert> items = DemoCatalog.generate(5_000, 16, 1_800_000_000_000L, 42);

  @Test
  void fiveThousandItemsOverTwentyCategoriesWithLongTailedPopularity() {
    assertThat(items).hasSize(5_000);
    assertThat(items.get(17).id()).isEqualTo("demo-17");
    Map<String, Long> perCategory =
        items.stream().collect(Collectors.groupingBy(ItemUpsert::category, Collectors.counting()));
    assertThat(perCategory).hasSize(20);
    assertThat(perCategory.values()).allMatch(n -> n > 150 && n < 350);

    List<Double> popularity = items.stream().map(ItemUpsert::popularity).sorted().toList();
    double top = popularity.get(popularity.size() - 1);
    double median = popularity.get(popularity.size() / 2);
    assertThat(top).isEqualTo(10_000.0);
    assertThat(median).isLessThan(top / 50); // a long tail, not a flat pool
  }

  @Test
  void embeddingsAreUnitVectorsAndTimesLieInTheLastNinetyDays() {
    for (ItemUpsert item : items) {
      double norm = 0;
      for (float x : item.embedding()) norm += x * x;
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, Offset.offset(1e-4));
      assertThat(item.createdAtMillis())
          .isBetween(1_800_000_000_000L - 90L * 86_400_000L, 1_800_000_000_000L);
      assertThat(item.tags()).hasSizeBetween(2, 3).doesNotHaveDuplicates();
    }
  }

  @Test
  void deterministicForASeed() {
    List<ItemUpsert> again = DemoCatalog.generate(5_000, 16, 1_800_000_000_000L, 42);
    assertThat(again.get(49).popularity()).isEqualTo(items.get(49).popularity());
    assertThat(again.get(49).embedding()).containsExactly(items.get(49).embedding());
  }
}
