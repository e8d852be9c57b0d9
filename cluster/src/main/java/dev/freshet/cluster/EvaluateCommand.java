package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.learning.AlsModel;
import dev.freshet.actors.learning.AlsSettings;
import dev.freshet.actors.learning.Bootstrap;
import dev.freshet.actors.learning.EaseModel;
import dev.freshet.actors.learning.EaseSettings;
import dev.freshet.actors.learning.ImplicitAls;
import dev.freshet.actors.learning.StaticSplit;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/freshet evaluate --ratings FILE [--items FILE]}: first the chronological replay of the
 * ratings through a node of its own ({@link ChronologicalReplay}: hit-rate@20 and NDCG@20 of the
 * full engine, the engine without collaborative filtering and recent popularity, with bootstrap
 * intervals), then the classic static split (each user's pairs 80/20 at random, a fixed seed), with
 * NDCG@10 and Recall@10 of the trainers Freshet has (implicit ALS and EASE, with the node's {@code
 * freshet.learning} settings) against popularity, each averaged over users with a bootstrap
 * interval. {@code --no-replay} runs the static split alone, which needs no node and no timestamps.
 */
public final class EvaluateCommand {

  private static final int K = 10;
  private static final int RESAMPLES = 1_000;

  private EvaluateCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, ConfigFactory.load(), System.out, System.err));
  }

  /** Runs the command; answers the exit code (0 done, 1 failed, 2 bad arguments or input). */
  static int run(String[] args, Config config, PrintStream out, PrintStream err) {
    Path ratings = null;
    Optional<Path> items = Optional.empty();
    boolean replay = true, scan = false;
    int retrainEvery = 10_000, replayK = 20;
    double positive = 4.0;
    long seed = 42;
    double trainShare = 0.8, minRating = Double.NEGATIVE_INFINITY;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    Map<String, Object> nodeSettings = new LinkedHashMap<>(ChronologicalReplay.DATASET_SETTINGS);
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--ratings" -> ratings = Path.of(CommandArgs.value(args, ++i, "--ratings"));
          case "--items" -> items = Optional.of(Path.of(CommandArgs.value(args, ++i, "--items")));
          case "--no-replay" -> replay = false;
          case "--scan" -> scan = true;
          case "--retrain-every" ->
              retrainEvery = CommandArgs.parsed(args, ++i, "--retrain-every", Integer::parseInt);
          case "--k" -> replayK = CommandArgs.parsed(args, ++i, "--k", Integer::parseInt);
          case "--positive-rating" ->
              positive = CommandArgs.parsed(args, ++i, "--positive-rating", Double::parseDouble);
          case "--seed" -> seed = CommandArgs.parsed(args, ++i, "--seed", Long::parseLong);
          case "--train-share" ->
              trainShare = CommandArgs.parsed(args, ++i, "--train-share", Double::parseDouble);
          case "--min-rating" ->
              minRating = CommandArgs.parsed(args, ++i, "--min-rating", Double::parseDouble);
          case "--set" -> {
            String[] kv = CommandArgs.value(args, ++i, "--set").split("=", 2);
            if (kv.length < 2 || !kv[0].strip().startsWith("freshet."))
              throw new IllegalArgumentException(
                  "--set needs freshet.SETTING=VALUE, got \"" + args[i] + "\"");
            nodeSettings.put(kv[0].strip(), kv[1].strip());
          }
          case "--threads" ->
              threads = CommandArgs.parsed(args, ++i, "--threads", Integer::parseInt);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (ratings == null) throw new IllegalArgumentException("--ratings is required");
      if (!Files.isRegularFile(ratings))
        throw new IllegalArgumentException("--ratings: no such file " + ratings);
      if (items.isPresent() && !Files.isRegularFile(items.get()))
        throw new IllegalArgumentException("--items: no such file " + items.get());
      if (retrainEvery < 1) throw new IllegalArgumentException("--retrain-every must be >= 1");
      if (replayK < 1 || replayK > 200)
        throw new IllegalArgumentException("--k must be from 1 to 200");
      if (!Double.isFinite(positive))
        throw new IllegalArgumentException("--positive-rating must be a number");
      if (!(trainShare > 0 && trainShare < 1))
        throw new IllegalArgumentException("--train-share must be between 0 and 1");
      if (Double.isNaN(minRating))
        throw new IllegalArgumentException("--min-rating must be a number");
      // a fork-join pool takes at most 32,767 threads; more than a few hundred is a typo
      if (threads < 1 || threads > 256)
        throw new IllegalArgumentException("--threads must be from 1 to 256");
    } catch (IllegalArgumentException e) {
      err.println("evaluate: " + e.getMessage());
      err.println(
          "usage: bin/freshet evaluate --ratings FILE [--items FILE] [--no-replay] [--scan]"
              + " [--retrain-every 10000] [--k 20] [--positive-rating 4] [--seed 42]"
              + " [--train-share 0.8] [--min-rating R] [--threads N]"
              + " [--set freshet.SETTING=VALUE ...]");
      return 2;
    }
    if (replay) {
      try {
        ReplayData data = ReplayData.read(ratings, items);
        ChronologicalReplay.Settings settings =
            new ChronologicalReplay.Settings(
                replayK, 0.2, positive, retrainEvery, seed, nodeSettings, scan);
        ChronologicalReplay.run(data, settings, err).print(out, settings);
      } catch (RatingsCsv.BadLine e) {
        err.println("evaluate: " + e.getMessage() + " (--no-replay for the static split alone)");
        return 2;
      } catch (IOException e) {
        err.println("evaluate: cannot read the replay's input: " + e.getMessage());
        return 1;
      } catch (com.typesafe.config.ConfigException | IllegalArgumentException e) {
        // the replay's node reads its settings as it starts: a value it refuses is a bad --set
        err.println("evaluate: a --set value is not a valid setting: " + e.getMessage());
        return 2;
      }
    }
    RatingsCsv data;
    try {
      data = RatingsCsv.read(ratings, minRating);
    } catch (RatingsCsv.BadLine e) {
      err.println("evaluate: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("evaluate: cannot read " + ratings + ": " + e.getMessage());
      return 1;
    }
    if (data.pairs().pairs() == 0) {
      err.println("evaluate: " + ratings + " has no pairs to evaluate");
      return 2;
    }
    out.printf(
        "%s: %,d rows (%,d below --min-rating), %,d users, %,d items, %,d distinct pairs%n",
        ratings,
        data.rows(),
        data.skipped(),
        data.users().size(),
        data.items().size(),
        data.pairs().pairs());
    StaticSplit.Split split = StaticSplit.split(data.pairs(), trainShare, seed);
    AlsSettings als = AlsSettings.fromConfig(config).withThreads(threads);
    EaseSettings ease = EaseSettings.fromConfig(config);

    long start = System.nanoTime();
    AlsModel alsModel = ImplicitAls.train(split.train(), als);
    double alsSeconds = seconds(start);
    start = System.nanoTime();
    EaseModel easeModel = EaseModel.train(split.train(), ease);
    double easeSeconds = seconds(start);

    StaticSplit.Result popularity =
        StaticSplit.evaluate(split, StaticSplit.popularity(split.train()), K);
    StaticSplit.Result alsResult = StaticSplit.evaluate(split, StaticSplit.of(alsModel), K);
    StaticSplit.Result easeResult =
        StaticSplit.evaluate(split, StaticSplit.of(easeModel, split.train()), K);

    out.printf(
        "Static split: each user's pairs %.0f/%.0f at random (seed %d), every item the user did not"
            + " train on ranked; %d users with held-out pairs; mean over users, 95 %% bootstrap"
            + " interval (%d resamples)%n",
        100 * trainShare, 100 * (1 - trainShare), seed, popularity.users(), RESAMPLES);
    out.printf("%-58s %-34s %-28s %s%n", "method", "NDCG@" + K, "Recall@" + K, "training");
    line(out, "popularity (users per item)", popularity, popularity, seed, "-");
    line(
        out,
        "implicit ALS " + describe(als),
        alsResult,
        popularity,
        seed,
        String.format("%.1f s", alsSeconds));
    line(
        out,
        "EASE (lambda " + ease.lambda() + ", " + easeModel.modelled() + " items)",
        easeResult,
        popularity,
        seed,
        String.format("%.1f s", easeSeconds));
    return 0;
  }

  private static String describe(AlsSettings s) {
    return String.format(
        "(%d factors, %d it., lambda %s, alpha %s)",
        s.factors(), s.iterations(), s.regularization(), s.alpha());
  }

  private static void line(
      PrintStream out,
      String name,
      StaticSplit.Result r,
      StaticSplit.Result popularity,
      long seed,
      String training) {
    Bootstrap.Interval ndcg = Bootstrap.mean(r.ndcgs(), RESAMPLES, seed);
    Bootstrap.Interval recall = Bootstrap.mean(r.recalls(), RESAMPLES, seed);
    String ratio =
        r == popularity || popularity.ndcg() == 0
            ? ""
            : String.format(" %.2fx", r.ndcg() / popularity.ndcg());
    out.printf("%-58s %-34s %-28s %s%n", name, ndcg + ratio, recall, training);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
