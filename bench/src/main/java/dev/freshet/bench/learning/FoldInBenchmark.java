package dev.freshet.bench.learning;

import dev.freshet.actors.learning.AlsModel;
import dev.freshet.actors.learning.AlsSettings;
import dev.freshet.actors.learning.CfModel;
import dev.freshet.actors.learning.EaseModel;
import dev.freshet.actors.learning.EaseSettings;
import dev.freshet.actors.learning.ImplicitAls;
import dev.freshet.actors.learning.Interactions;
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
 * What folding a user in costs per event (issue 16: under 1 ms), as the user entity does on every
 * interaction: for ALS ({@link #foldIn}) the user's factors solved again from all their weighted
 * pairs against a trained model's item factors; for EASE ({@link #easeFoldIn}) the user's scores
 * for the model's 2,000 items and their scale, as {@code CfModel} serves either. The models are
 * trained on random pairs (their quality is irrelevant to the cost, which depends on the factors or
 * the modelled items, and the user's pairs only).
 *
 * <p>Run: {@code bench/run-fold-in.sh} (builds the jars, runs JMH with the node's jar on the class
 * path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FoldInBenchmark {

  /** The user's distinct items with a weight (a user's history as the entity keeps it). */
  @Param({"10", "100", "200", "500"})
  int pairs;

  @Param({"64"})
  int factors;

  private AlsModel model;
  private int[] items;
  private float[] weights;
  private CfModel ease;
  private int[] easeItems;
  private float[] easeWeights;

  @Setup
  public void train() {
    int users = 200, catalog = 10_000;
    Random random = new Random(42);
    Interactions.Builder b = Interactions.builder(users, catalog);
    for (int k = 0; k < 20_000; k++) b.add(random.nextInt(users), random.nextInt(catalog), 1);
    model = ImplicitAls.train(b.build(), new AlsSettings(factors, 1, 30, 2, 42, 1));
    items = random.ints(0, catalog).distinct().limit(pairs).toArray();
    weights = new float[pairs];
    for (int k = 0; k < pairs; k++) weights[k] = random.nextInt(5) == 0 ? -1.5f : 1f;
    EaseModel trained = EaseModel.train(b.build(), new EaseSettings(250, 2_000));
    ease = new CfModel(1, trained);
    // the user's items among the modelled ones: each costs a row of weights
    int[] rows = trained.rowItems();
    easeItems = new int[Math.min(pairs, rows.length)];
    for (int k = 0; k < easeItems.length; k++) easeItems[k] = rows[(k * 7) % rows.length];
    easeWeights = java.util.Arrays.copyOf(weights, easeItems.length);
  }

  @Benchmark
  public float[] foldIn() {
    return model.foldIn(items, weights);
  }

  @Benchmark
  public double easeFoldIn() {
    float[] user = ease.foldIn(easeItems, easeWeights);
    return ease.scale(user, easeItems, easeWeights);
  }
}
