package dev.freshet.actors.learning;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The classic static split on MovieLens "latest-small" (read from ../shared, never copied): every
 * rating an implicit positive, each user's ratings 80/20 at random, NDCG@10 and Recall@10 of the
 * trained factorisation (ALS) and item-to-item model (EASE) against popularity. The floor is well
 * below what training reaches and well above popularity, so a broken trainer fails the build.
 */
class MovieLensStaticSplitTest {

  @Test
  void trainedModelsBeatPopularityOnTheStaticSplit() throws IOException {
    Path ratings =
        Path.of(System.getProperty("freshet.shared.dir", "../shared"), "data", "ml-latest-small")
            .resolve("ratings.csv");
    if (!Files.isRegularFile(ratings)) missingData(ratings);
    Interactions all = read(ratings);
    StaticSplit.Split split = StaticSplit.split(all, 0.8, 42);
    AlsSettings settings = AlsSettings.fromConfig(ConfigFactory.load()).withThreads(2);

    long start = System.nanoTime();
    AlsModel model = ImplicitAls.train(split.train(), settings);
    double alsSeconds = (System.nanoTime() - start) / 1e9;
    EaseSettings easeSettings = EaseSettings.fromConfig(ConfigFactory.load());
    start = System.nanoTime();
    EaseModel ease = EaseModel.train(split.train(), easeSettings);
    double easeSeconds = (System.nanoTime() - start) / 1e9;
    StaticSplit.Result trained = StaticSplit.evaluate(split, StaticSplit.of(model), 10);
    StaticSplit.Result shallow =
        StaticSplit.evaluate(split, StaticSplit.of(ease, split.train()), 10);
    StaticSplit.Result popular =
        StaticSplit.evaluate(split, StaticSplit.popularity(split.train()), 10);
    System.out.printf(
        "MovieLens static split (80/20, seed 42, %d users, %d items, %d pairs): popularity NDCG@10"
            + " %.4f Recall@10 %.4f; ALS %s NDCG@10 %.4f (%.2fx) Recall@10 %.4f, trained in %.1f s;"
            + " EASE %s NDCG@10 %.4f (%.2fx) Recall@10 %.4f, trained in %.1f s%n",
        all.users(),
        all.items(),
        all.pairs(),
        popular.ndcg(),
        popular.recall(),
        settings,
        trained.ndcg(),
        trained.ndcg() / popular.ndcg(),
        trained.recall(),
        alsSeconds,
        easeSettings,
        shallow.ndcg(),
        shallow.ndcg() / popular.ndcg(),
        shallow.recall(),
        easeSeconds);
    assertThat(trained.users()).isEqualTo(popular.users()).isGreaterThan(600);
    // floors well below the measured 1.94x (ALS) and 2.00x (EASE), far above popularity
    assertThat(trained.ndcg()).isGreaterThan(1.5 * popular.ndcg());
    assertThat(trained.recall()).isGreaterThan(1.5 * popular.recall());
    assertThat(shallow.ndcg()).isGreaterThan(1.7 * popular.ndcg());
    assertThat(shallow.recall()).isGreaterThan(1.7 * popular.recall());
  }

  /** Users and movies numbered in order of first appearance. */
  static Interactions read(Path ratings) throws IOException {
    List<String> lines = Files.readAllLines(ratings);
    Map<String, Integer> users = new HashMap<>(), movies = new HashMap<>();
    int[][] pairs = new int[lines.size() - 1][];
    for (int n = 1; n < lines.size(); n++) {
      String[] f = lines.get(n).split(",");
      int u = users.computeIfAbsent(f[0], k -> users.size());
      int m = movies.computeIfAbsent(f[1], k -> movies.size());
      pairs[n - 1] = new int[] {u, m};
    }
    Interactions.Builder b = Interactions.builder(users.size(), movies.size());
    for (int[] p : pairs) b.add(p[0], p[1], 1);
    return b.build();
  }

  private static void missingData(Path ratings) {
    String message =
        "MovieLens data not found at "
            + ratings.toAbsolutePath()
            + ": -Dfreshet.shared.dir=<dir> points to the directory holding data/ml-latest-small";
    if ("true".equalsIgnoreCase(System.getenv("CI")))
      throw new AssertionError(message + " [CI=true: required]");
    System.out.println("SKIPPED MovieLensStaticSplitTest: " + message);
    Assumptions.abort(message);
  }
}
