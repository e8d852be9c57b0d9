package dev.freshet.actors.learning;

import dev.freshet.actors.features.SignalWeights;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One training: implicit ALS on what users did, and EASE over the items with most users (when
 * enabled), each evaluated on each user's latest interaction (held out by event time, {@link
 * TimeHoldout}) against popularity; the better of the two is the candidate, evaluated against the
 * model serving now, which is scored on the same holdout by folding the same users in. A candidate
 * that does worse than the serving model is recorded but not promoted. Pure: the job around it
 * reads the rows and writes the version.
 */
public final class Trainer {

  /** The algorithms' names, as versions record them. */
  public static final String ALS = "als", EASE = "ease";

  /** What to train and how to judge it; without {@code ease}, ALS alone. */
  public record Settings(
      AlsSettings als,
      Optional<EaseSettings> ease,
      SignalWeights weights,
      int k,
      int minPositives) {

    /** ALS alone. */
    public Settings(AlsSettings als, SignalWeights weights, int k, int minPositives) {
      this(als, Optional.empty(), weights, k, minPositives);
    }

    /**
     * {@code freshet.learning}, with the interactions weighed as {@code freshet.features.signals}.
     */
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(
          AlsSettings.fromConfig(config),
          config.getBoolean("freshet.learning.ease.enabled")
              ? Optional.of(EaseSettings.fromConfig(config))
              : Optional.empty(),
          dev.freshet.actors.features.FeatureSettings.fromConfig(config).signals(),
          config.getInt("freshet.learning.k"),
          config.getInt("freshet.learning.min-positives"));
    }
  }

  /** The candidate version, whether it should serve, and why. */
  public record Outcome(ModelVersions.Version version, boolean promote, String reason) {}

  /** One algorithm's model as a version would store it, and how it did on the holdout. */
  private record Candidate(
      String algorithm,
      String params,
      int factors,
      float[] rows,
      int[] itemIds,
      StaticSplit.Result result) {}

  private Trainer() {}

  /**
   * Trains on {@code rows} (items by dense id below {@code items}); empty when no user has enough
   * history to hold anything out, since a model that cannot be evaluated must not serve.
   */
  public static Optional<Outcome> train(
      List<TimeHoldout.Row> rows,
      int items,
      Settings settings,
      Optional<ModelVersions.Version> serving,
      Instant now) {
    TimeHoldout.Built built =
        TimeHoldout.build(rows, settings.weights(), items, settings.minPositives());
    if (built.heldOutUsers() == 0) return Optional.empty();
    StaticSplit.Split split = built.split();
    Candidate candidate = als(split, settings);
    String chosen = "";
    if (settings.ease().isPresent()) {
      Candidate ease = ease(split, settings.ease().get(), settings.k());
      chosen =
          String.format(
              " (%s: NDCG@%d %.4f, %s %.4f)",
              ALS, settings.k(), candidate.result().ndcg(), EASE, ease.result().ndcg());
      if (ease.result().ndcg() > candidate.result().ndcg()) candidate = ease;
    }
    StaticSplit.Result result = candidate.result();
    StaticSplit.Result popularity =
        StaticSplit.evaluate(split, StaticSplit.popularity(split.train()), settings.k());

    boolean promote;
    String reason;
    Optional<StaticSplit.Result> current =
        serving.flatMap(v -> servable(v)).map(m -> evaluate(m, split, settings.k()));
    if (current.isEmpty()) {
      promote = result.ndcg() > popularity.ndcg();
      reason =
          String.format(
              "%s%s; no model serving; NDCG@%d %.4f against popularity's %.4f",
              candidate.algorithm(), chosen, settings.k(), result.ndcg(), popularity.ndcg());
    } else {
      promote = result.ndcg() >= current.get().ndcg();
      reason =
          String.format(
              "%s%s; NDCG@%d %.4f against %.4f of the serving version %d on the same holdout",
              candidate.algorithm(),
              chosen,
              settings.k(),
              result.ndcg(),
              current.get().ndcg(),
              serving.get().version());
    }
    ModelVersions.Version version =
        new ModelVersions.Version(
            0,
            now,
            candidate.algorithm(),
            candidate.params(),
            new ModelVersions.Evaluation(
                result.ndcg(), result.recall(), popularity.ndcg(), result.users(), settings.k()),
            built.users().size(),
            items,
            candidate.factors(),
            candidate.rows(),
            candidate.itemIds(),
            false,
            (promote ? "promoted: " : "not promoted: ") + reason);
    return Optional.of(new Outcome(version, promote, reason));
  }

  private static Candidate als(StaticSplit.Split split, Settings settings) {
    AlsModel model = ImplicitAls.train(split.train(), settings.als());
    return new Candidate(
        ALS,
        settings.als().describe(),
        settings.als().factors(),
        model.itemFactors(),
        new int[0],
        StaticSplit.evaluate(split, StaticSplit.of(model), settings.k()));
  }

  private static Candidate ease(StaticSplit.Split split, EaseSettings settings, int k) {
    EaseModel model = EaseModel.train(split.train(), settings);
    return new Candidate(
        EASE,
        settings.describe(),
        model.modelled(),
        model.weights(),
        model.rowItems(),
        StaticSplit.evaluate(split, StaticSplit.of(model, split.train()), k));
  }

  /** The serving version as a node would score with it; empty if it cannot (a garbled record). */
  private static Optional<CfModel> servable(ModelVersions.Version serving) {
    try {
      return Optional.of(CfModel.forScoring(serving));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * A served model on the candidate's holdout: every user folded in from the same training pairs,
   * as a node folds them in (items it never knew score nothing).
   */
  private static StaticSplit.Result evaluate(CfModel model, StaticSplit.Split split, int k) {
    Interactions train = split.train();
    StaticSplit.Scorer scorer =
        (user, out) -> {
          float[] x = model.foldIn(train.itemsOf(user), train.weightsOf(user));
          for (int i = 0; i < out.length; i++) {
            out[i] = x == null ? Double.NaN : model.scoreOrNaN(x, i);
          }
        };
    return StaticSplit.evaluate(split, scorer, k);
  }
}
