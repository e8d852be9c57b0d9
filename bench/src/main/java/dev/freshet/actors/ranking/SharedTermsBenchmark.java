package dev.freshet.actors.ranking;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.popularity.PopularityDeltas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the first ranking after a new popularity board waits for: the board changes every second on
 * a node that takes interactions ({@code freshet.popularity.window}), and the ranking that comes
 * next computes the new user-independent terms, its variant's weighted popularity and the pool's
 * neutral order (which a user without signals of their own walks). {@link #afterANewBoard} is those
 * three, for a catalog of {@code items} in 20 categories, with the default ranking settings and
 * category weights for two categories. In the ranking's package because the terms are
 * package-private.
 *
 * <p>Run: {@code bench/run-terms.sh BASE_COMMIT} (the same benchmark against another commit's node
 * jar and this tree's, base, head, base).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SharedTermsBenchmark {

  private static final long NOW = 1_800_000_000_000L;
  private static final long DAY = 86_400_000L;

  @Param({"10000", "100000"})
  int items;

  private CatalogSnapshot catalog;
  private PopularityBoard[] boards;
  private long halfLife;
  private Variant variant;
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    List<Item> all = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      float[] embedding = new float[32];
      for (int d = 0; d < embedding.length; d++) embedding[d] = (float) random.nextGaussian();
      all.add(
          new Item(
              "item-" + i,
              i,
              "cat-" + random.nextInt(20),
              List.of("t" + random.nextInt(50)),
              NOW - (long) (random.nextDouble() * 60 * DAY),
              random.nextInt(10) == 0 ? ItemStatus.ARCHIVED : ItemStatus.ACTIVE,
              random.nextInt(101),
              embedding,
              "{}"));
    }
    catalog = CatalogSnapshot.empty().withChanges(all, 1);
    RankingSettings settings =
        RankingSettings.fromConfig(
            ConfigFactory.parseString(
                    "freshet.ranking.category-weights { cat-1 { freshness = 2 },"
                        + " cat-2 { popularity = 1.5 } }")
                .withFallback(ConfigFactory.load()));
    halfLife = settings.freshnessHalfLifeMillis();
    variant = settings.variants().get(0);
    // a few boards taken in turn: each ranking's board is new to the terms, as after each window
    boards = new PopularityBoard[8];
    PopularityBoard board = PopularityBoard.empty();
    for (int b = 0; b < boards.length; b++) {
      Map<Integer, Double> deltas = new HashMap<>();
      for (int i = 0; i < items / 20; i++)
        deltas.merge(random.nextInt(items), 1.0 + random.nextInt(5), Double::sum);
      board = board.merge(new PopularityDeltas(deltas, Map.of(), NOW + b * 1_000L), DAY / 4);
      boards[b] = board;
    }
    catalog.rankingTerms(SharedTerms.compute(catalog, boards[0], halfLife, NOW, null));
  }

  @Benchmark
  public SharedTerms.ForVariant.NeutralOrder afterANewBoard() {
    SharedTerms previous = (SharedTerms) catalog.rankingTerms();
    long now = NOW + 1_000L * next;
    SharedTerms terms =
        SharedTerms.compute(catalog, boards[next++ & (boards.length - 1)], halfLife, now, previous);
    return terms.forVariant(variant).neutralOrder(Optional.empty(), terms.freshnessFactor(now));
  }
}
