package dev.freshet.actors.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** The training maths on matrices small enough to check by hand or by a direct solve. */
class ImplicitAlsTest {

  private static AlsSettings settings(int factors, double lambda, double alpha) {
    return new AlsSettings(factors, 10, lambda, alpha, 7, 1);
  }

  @Test
  void interactionsMergeRepeatedPairsAndTranspose() {
    Interactions m =
        Interactions.builder(3, 4)
            .add(2, 3, 1)
            .add(0, 1, 2)
            .add(0, 1, 0.5)
            .add(1, 0, -1)
            .add(0, 3, 1)
            .build();
    assertThat(m.pairs()).isEqualTo(4);
    assertThat(m.itemsOf(0)).containsExactly(1, 3);
    assertThat(m.weightsOf(0)).containsExactly(2.5f, 1f);
    assertThat(m.itemsOf(1)).containsExactly(0);
    assertThat(m.weightsOf(1)).containsExactly(-1f);
    assertThat(m.usersOf(3)).isEqualTo(2);
    assertThat(m.usersOf(2)).isZero();
  }

  /**
   * One factor, items at 1 and 2, a user with item 0 of weight 1, α 1, λ 1: confidence 2, so {@code
   * (1² + 2²) + (2 − 1)·1² + 1 = 7} times x equals {@code 2·1·1}: x = 2/7.
   */
  @Test
  void foldInSolvesTheNormalEquationsKnownByHand() {
    AlsSettings s = settings(1, 1.0, 1.0);
    float[] items = {1f, 2f};
    AlsModel model = new AlsModel(s, new float[0], items, ImplicitAls.gram(items, 1));
    assertThat(model.foldIn(new int[] {0}, new float[] {1f})[0]).isCloseTo(2f / 7f, within(1e-6f));
    // a negative weight: preference 0 with confidence 2, so x = 0
    assertThat(model.foldIn(new int[] {0}, new float[] {-1f})[0]).isCloseTo(0f, within(1e-6f));
    // no pairs: no preference, no factors
    assertThat(model.foldIn(new int[0], new float[0])).containsExactly(0f);
  }

  /** Fold-in against random item factors equals the dense normal equations solved directly. */
  @Test
  void foldInEqualsTheFullSolve() {
    int items = 30, f = 5;
    Random random = new Random(3);
    float[] y = new float[items * f];
    for (int k = 0; k < y.length; k++) y[k] = (float) random.nextGaussian();
    AlsSettings s = settings(f, 0.3, 4.0);
    AlsModel model = new AlsModel(s, new float[0], y, ImplicitAls.gram(y, f));
    int[] mine = {2, 7, 11, 19, 23};
    float[] weights = {1f, 3f, -2f, 0.5f, 1f};

    // (Yᵀ C Y + λI) x = Yᵀ C p over every item, C and p dense
    DMatrixRMaj yy = ImplicitAls.toMatrix(y, f);
    DMatrixRMaj c = new DMatrixRMaj(items, items);
    DMatrixRMaj p = new DMatrixRMaj(items, 1);
    for (int i = 0; i < items; i++) c.set(i, i, 1);
    for (int k = 0; k < mine.length; k++) {
      c.set(mine[k], mine[k], 1 + 4.0 * Math.abs(weights[k]));
      p.set(mine[k], 0, weights[k] > 0 ? 1 : 0);
    }
    DMatrixRMaj cy = new DMatrixRMaj(items, f);
    CommonOps_DDRM.mult(c, yy, cy);
    DMatrixRMaj a = new DMatrixRMaj(f, f);
    CommonOps_DDRM.multTransA(yy, cy, a);
    for (int d = 0; d < f; d++) a.add(d, d, 0.3);
    DMatrixRMaj cp = new DMatrixRMaj(items, 1);
    CommonOps_DDRM.mult(c, p, cp);
    DMatrixRMaj b = new DMatrixRMaj(f, 1);
    CommonOps_DDRM.multTransA(yy, cp, b);
    DMatrixRMaj x = new DMatrixRMaj(f, 1);
    assertThat(CommonOps_DDRM.solve(a, b, x)).isTrue();

    float[] folded = model.foldIn(mine, weights);
    for (int d = 0; d < f; d++) assertThat((double) folded[d]).isCloseTo(x.get(d), within(1e-4));
  }

  /**
   * Two groups of users, each with its own items: trained factors score a user's own group above
   * the other's, including the group's items the user never met; a disliked item scores lowest.
   */
  @Test
  void trainingSeparatesTwoTasteGroups() {
    int users = 40, items = 20;
    Interactions.Builder b = Interactions.builder(users, items);
    Random random = new Random(5);
    for (int u = 0; u < users; u++) {
      int group = u % 2;
      for (int i = group; i < items; i += 2) if (random.nextDouble() < 0.6) b.add(u, i, 1);
    }
    // user 0 (group 0) dislikes item 4 of their own group
    Interactions data = b.add(0, 4, -3).build();
    AlsModel model = ImplicitAls.train(data, settings(4, 0.1, 10));
    int correct = 0, total = 0;
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < items; i++) {
        for (int j = 0; j < items; j++) {
          if (i % 2 != u % 2 || j % 2 == u % 2) continue;
          total++;
          if (model.score(u, i) > model.score(u, j)) correct++;
        }
      }
    }
    assertThat((double) correct / total).isGreaterThan(0.95);
    double disliked = model.score(0, 4);
    for (int i = 0; i < items; i += 2)
      if (i != 4) assertThat(model.score(0, i)).isGreaterThan(disliked);
  }

  @Test
  void trainingIsDeterministicAndThreadsDoNotChangeTheResult() {
    Interactions.Builder b = Interactions.builder(30, 25);
    Random random = new Random(9);
    for (int k = 0; k < 200; k++)
      b.add(random.nextInt(30), random.nextInt(25), 1 + random.nextInt(3));
    Interactions data = b.build();
    AlsModel one = ImplicitAls.train(data, settings(6, 0.1, 5));
    AlsModel again = ImplicitAls.train(data, settings(6, 0.1, 5));
    AlsModel two = ImplicitAls.train(data, settings(6, 0.1, 5).withThreads(2));
    for (int u = 0; u < 30; u++) {
      assertThat(again.userVector(u)).containsExactly(one.userVector(u));
      assertThat(two.userVector(u)).containsExactly(one.userVector(u));
    }
  }

  @Test
  void aTrainedUserFoldedInGetsNearlyTheTrainedFactors() {
    Interactions.Builder b = Interactions.builder(20, 15);
    Random random = new Random(2);
    for (int k = 0; k < 120; k++) b.add(random.nextInt(20), random.nextInt(15), 1);
    Interactions data = b.build();
    AlsSettings s = settings(3, 0.2, 8);
    AlsModel model = ImplicitAls.train(data, s);
    // a fold-in is one more user step against the final item factors: deterministic, and after
    // ten iterations close to the factors the user already has
    float[] once = model.foldIn(data.itemsOf(4), data.weightsOf(4));
    float[] twice = model.foldIn(data.itemsOf(4), data.weightsOf(4));
    assertThat(twice).containsExactly(once);
    double agreement = cosine(once, model.userVector(4));
    assertThat(agreement).isGreaterThan(0.9);
  }

  @Test
  void metricsByHand() {
    int[] ranked = {5, 3, 9, 1};
    // relevant 3 and 1 at ranks 2 and 4: DCG 1/log2(3) + 1/log2(5), ideal 1 + 1/log2(3)
    double dcg = 1 / log2(3) + 1 / log2(5), ideal = 1 + 1 / log2(3);
    assertThat(RankingMetrics.ndcg(ranked, i -> i == 3 || i == 1, 2, 4))
        .isCloseTo(dcg / ideal, within(1e-12));
    assertThat(RankingMetrics.recall(ranked, i -> i == 3 || i == 1 || i == 7, 3, 4))
        .isCloseTo(2.0 / 3, within(1e-12));
    assertThat(RankingMetrics.ndcg(ranked, i -> false, 0, 4)).isZero();
    assertThat(TopK.of(new double[] {0.5, 2, Double.NaN, 2, 1}, 3, null)).containsExactly(1, 3, 4);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void settingsAsAVersionRecordsThemReadBack() {
    AlsSettings s = new AlsSettings(64, 15, 30, 2.5, 42, 2);
    assertThat(AlsSettings.parse(s.describe())).contains(s.withThreads(1));
    assertThat(AlsSettings.parse("ease lambda=250")).isEmpty();
    assertThat(AlsSettings.parse("factors=0 iterations=1 regularization=1 alpha=1 seed=1"))
        .isEmpty();
  }
}
