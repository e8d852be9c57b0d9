package dev.freshet.actors.learning;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Trains {@link AlsModel}s by alternating least squares on implicit feedback: every (user, item)
 * pair not in {@link Interactions} is a preference of 0 with confidence 1; a pair of weight {@code
 * w > 0} a preference of 1 with confidence {@code 1 + alpha·w}; a pair of weight {@code w < 0} (a
 * dislike, a {@code not_interested} skip) a preference of 0 with confidence {@code 1 + alpha·|w|},
 * i.e. a stronger "no" than never having met the item.
 *
 * <p>Each row's factors solve its normal equations {@code (YᵀY + Yᵀ(Cᵤ − I)Y + λI) x = YᵀCᵤpᵤ},
 * where {@code YᵀY} over all rows of the other side is computed once per half-iteration, so a row
 * costs {@code O(nᵤ·f² + f³)} for its {@code nᵤ} pairs. The same solve folds a user in against a
 * trained model ({@link AlsModel#foldIn}).
 */
public final class ImplicitAls {

  private ImplicitAls() {}

  public static AlsModel train(Interactions data, AlsSettings settings) {
    int f = settings.factors();
    DMatrixRMaj users = new DMatrixRMaj(data.users(), f);
    DMatrixRMaj items = new DMatrixRMaj(data.items(), f);
    Random random = new Random(settings.seed());
    for (int k = 0; k < items.data.length; k++) items.data[k] = random.nextGaussian() * 0.01;
    ForkJoinPool pool = new ForkJoinPool(settings.threads());
    try {
      for (int iteration = 0; iteration < settings.iterations(); iteration++) {
        solveAll(pool, data.byUser(), items, users, settings);
        solveAll(pool, data.byItem(), users, items, settings);
      }
    } finally {
      pool.shutdown();
    }
    return new AlsModel(settings, toFloats(users), toFloats(items), gram(items));
  }

  /** Solves every row of {@code rows} against the fixed {@code other} side into {@code out}. */
  private static void solveAll(
      ForkJoinPool pool,
      Interactions.Rows rows,
      DMatrixRMaj other,
      DMatrixRMaj out,
      AlsSettings settings) {
    DMatrixRMaj gram = gram(other);
    int n = rows.start().length - 1;
    ThreadLocal<RowSolver> solvers =
        ThreadLocal.withInitial(() -> new RowSolver(settings.factors()));
    pool.submit(
            () ->
                IntStream.range(0, n)
                    .parallel()
                    .forEach(
                        r ->
                            solvers
                                .get()
                                .solve(
                                    gram,
                                    other.data,
                                    rows.columns(),
                                    rows.weights(),
                                    rows.start()[r],
                                    rows.start()[r + 1],
                                    settings,
                                    out.data,
                                    r * settings.factors())))
        .join();
  }

  /** {@code YᵀY} of a side's factors. */
  static DMatrixRMaj gram(DMatrixRMaj factors) {
    DMatrixRMaj g = new DMatrixRMaj(factors.numCols, factors.numCols);
    CommonOps_DDRM.multTransA(factors, factors, g);
    return g;
  }

  static DMatrixRMaj gram(float[] flat, int factors) {
    return gram(toMatrix(flat, factors));
  }

  static DMatrixRMaj toMatrix(float[] flat, int factors) {
    DMatrixRMaj m = new DMatrixRMaj(flat.length / factors, factors);
    for (int k = 0; k < flat.length; k++) m.data[k] = flat[k];
    return m;
  }

  private static float[] toFloats(DMatrixRMaj m) {
    float[] out = new float[m.data.length];
    for (int k = 0; k < out.length; k++) out[k] = (float) m.data[k];
    return out;
  }

  /** One thread's buffers for solving rows; not thread-safe. */
  static final class RowSolver {
    private final int f;
    private final DMatrixRMaj a;
    private final DMatrixRMaj b;
    private final DMatrixRMaj x;
    private final LinearSolverDense<DMatrixRMaj> cholesky;

    /** The row's pairs' other-side factors, scaled by √(c − 1), and the weighted preferences. */
    private DMatrixRMaj scaled = new DMatrixRMaj(16, 1);

    private DMatrixRMaj plain = new DMatrixRMaj(16, 1);
    private DMatrixRMaj preference = new DMatrixRMaj(16, 1);

    RowSolver(int factors) {
      f = factors;
      a = new DMatrixRMaj(f, f);
      b = new DMatrixRMaj(f, 1);
      x = new DMatrixRMaj(f, 1);
      cholesky = LinearSolverFactory_DDRM.symmPosDef(f);
    }

    /**
     * Solves the row made of pairs {@code columns/weights[from..to)} against {@code other} (the
     * other side's factors, row-major {@code f} per row) into {@code out[offset..offset + f)}.
     */
    void solve(
        DMatrixRMaj gram,
        double[] other,
        int[] columns,
        float[] weights,
        int from,
        int to,
        AlsSettings settings,
        double[] out,
        int offset) {
      int n = to - from;
      if (n == 0) {
        // no pairs: every preference is 0, and so is the solution
        java.util.Arrays.fill(out, offset, offset + f, 0.0);
        return;
      }
      scaled.reshape(n, f);
      plain.reshape(n, f);
      preference.reshape(n, 1);
      for (int k = 0; k < n; k++) {
        double w = weights[from + k];
        double confidence = 1 + settings.alpha() * Math.abs(w);
        double root = Math.sqrt(confidence - 1);
        int at = columns[from + k] * f;
        for (int d = 0; d < f; d++) {
          double y = other[at + d];
          scaled.data[k * f + d] = root * y;
          plain.data[k * f + d] = y;
        }
        preference.data[k] = w > 0 ? confidence : 0.0;
      }
      a.setTo(gram);
      CommonOps_DDRM.multAddTransA(scaled, scaled, a);
      for (int d = 0; d < f; d++) a.add(d, d, settings.regularization());
      CommonOps_DDRM.multTransA(plain, preference, b);
      if (!cholesky.setA(a))
        throw new IllegalStateException("normal equations not positive definite");
      cholesky.solve(b, x);
      System.arraycopy(x.data, 0, out, offset, f);
    }
  }
}
