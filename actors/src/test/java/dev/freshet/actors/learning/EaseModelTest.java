package dev.freshet.actors.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

/** EASE's closed form on matrices small enough to compute directly. */
class EaseModelTest {

  /** B from its definition with a general inverse, scores as X·B, against the model's. */
  @Test
  void scoresAreTheClosedFormsComputedDirectly() {
    int users = 12, items = 6;
    double lambda = 2.0;
    Random random = new Random(4);
    Interactions.Builder b = Interactions.builder(users, items);
    DMatrixRMaj x = new DMatrixRMaj(users, items);
    for (int u = 0; u < users; u++)
      for (int i = 0; i < items; i++)
        if (random.nextDouble() < 0.4) {
          double w = 1 + random.nextInt(3);
          b.add(u, i, w);
          x.set(u, i, w);
        }
    // a dislike counts for nothing in EASE (only positive weights are "had")
    b.add(0, 5, -4);
    x.set(0, 5, Math.max(0, x.get(0, 5) - 4));
    Interactions data = b.build();
    EaseModel model = EaseModel.train(data, new EaseSettings(lambda, items));
    assertThat(model.modelled()).isEqualTo(items);

    DMatrixRMaj g = new DMatrixRMaj(items, items);
    CommonOps_DDRM.multTransA(x, x, g);
    for (int d = 0; d < items; d++) g.add(d, d, lambda);
    DMatrixRMaj p = new DMatrixRMaj(items, items);
    assertThat(CommonOps_DDRM.invert(g, p)).isTrue();
    DMatrixRMaj bb = new DMatrixRMaj(items, items);
    for (int i = 0; i < items; i++)
      for (int j = 0; j < items; j++) if (i != j) bb.set(i, j, -p.get(i, j) / p.get(j, j));

    for (int u = 1; u < users; u++) {
      double[] out = new double[items];
      model.scores(data.itemsOf(u), data.weightsOf(u), out);
      for (int j = 0; j < items; j++) {
        double expected = 0;
        for (int i = 0; i < items; i++) expected += x.get(u, i) * bb.get(i, j);
        assertThat(out[j]).isCloseTo(expected, within(1e-4));
      }
    }
  }

  @Test
  void onlyTheItemsWithMostUsersAreModelledTheOthersScoreNothing() {
    Interactions data =
        Interactions.builder(4, 5)
            .add(0, 0, 1)
            .add(1, 0, 1)
            .add(2, 0, 1)
            .add(0, 1, 1)
            .add(1, 1, 1)
            .add(3, 2, 1)
            .add(3, 1, 1)
            .build();
    EaseModel model = EaseModel.train(data, new EaseSettings(1.0, 2));
    assertThat(model.modelled()).isEqualTo(2);
    double[] out = new double[5];
    model.scores(new int[] {0}, new float[] {1f}, out);
    assertThat(out[1]).isGreaterThan(0); // users who had 0 also had 1
    assertThat(out[0]).isZero(); // never itself
    assertThat(out[2]).isNaN();
    assertThat(out[3]).isNaN();
    assertThat(out[4]).isNaN();
  }
}
