package dev.freshet.actors.learning;

import dev.freshet.actors.features.SignalWeights;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One training: implicit ALS on what users did, evaluated on each user's latest interaction (held
 * out by event time, {@link TimeHoldout}) against popularity and against the model serving now,
 * which is scored on the same holdout by folding the same users in. A candidate that does worse
 * than the serving model is recorded but not promoted. Pure: the job around it reads the rows and
 * writes the version.
 */
public final class Trainer {

  /** What to train and how to judge it. */
  public record Settings(AlsSettings als, SignalWeights weights, int k, int minPositives) {

    /**
     * {@code freshet.learning}, with the interactions weighed as {@code freshet.features.signals}.
     */
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(
          AlsSettings.fromConfig(config),
          dev.freshet.actors.features.FeatureSettings.fromConfig(config).signals(),
          config.getInt("freshet.learning.k"),
          config.getInt("freshet.learning.min-positives"));
    }
  }

  /**
   * The candidate, whether it should serve and why, and the trained model (its users' factors
   * included, for the evaluation's record).
   */
  public record Outcome(
      ModelVersions.Version version, boolean promote, String reason, AlsModel model) {}

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
    AlsModel model = ImplicitAls.train(split.train(), settings.als());
    StaticSplit.Result candidate = StaticSplit.evaluate(split, StaticSplit.of(model), settings.k());
    StaticSplit.Result popularity =
        StaticSplit.evaluate(split, StaticSplit.popularity(split.train()), settings.k());

    boolean promote;
    String reason;
    Optional<StaticSplit.Result> current =
        serving
            .filter(v -> v.algorithm().equals("als") && v.factors() == settings.als().factors())
            .map(v -> evaluateServing(v, split, settings));
    if (current.isEmpty()) {
      promote = candidate.ndcg() > popularity.ndcg();
      reason =
          String.format(
              "no comparable model serving; NDCG@%d %.4f against popularity's %.4f",
              settings.k(), candidate.ndcg(), popularity.ndcg());
    } else {
      promote = candidate.ndcg() >= current.get().ndcg();
      reason =
          String.format(
              "NDCG@%d %.4f against %.4f of the serving version %d on the same holdout",
              settings.k(), candidate.ndcg(), current.get().ndcg(), serving.get().version());
    }
    AlsSettings als = settings.als();
    ModelVersions.Version version =
        new ModelVersions.Version(
            0,
            now,
            "als",
            als.describe(),
            new ModelVersions.Evaluation(
                candidate.ndcg(),
                candidate.recall(),
                popularity.ndcg(),
                candidate.users(),
                settings.k()),
            built.users().size(),
            items,
            als.factors(),
            model.itemFactors(),
            false,
            (promote ? "promoted: " : "not promoted: ") + reason);
    return Optional.of(new Outcome(version, promote, reason, model));
  }

  /**
   * The serving version on the candidate's holdout: its item factors (items it never knew score
   * nothing) with every user folded in from the same training pairs.
   */
  private static StaticSplit.Result evaluateServing(
      ModelVersions.Version serving, StaticSplit.Split split, Settings settings) {
    // folded in with the serving version's own regularisation and confidence
    AlsSettings its = AlsSettings.parse(serving.params()).orElse(settings.als());
    AlsModel old = AlsModel.ofItemFactors(its, serving.itemFactors());
    Interactions train = split.train();
    StaticSplit.Scorer scorer =
        (user, out) -> {
          int[] mine = train.itemsOf(user);
          float[] weights = train.weightsOf(user);
          int known = 0;
          for (int item : mine) if (item < old.items()) known++;
          int[] items = new int[known];
          float[] w = new float[known];
          for (int k = 0, n = 0; k < mine.length; k++)
            if (mine[k] < old.items()) {
              items[n] = mine[k];
              w[n++] = weights[k];
            }
          float[] x = old.foldIn(items, w);
          for (int i = 0; i < out.length; i++)
            out[i] = i < old.items() ? old.score(x, i) : Double.NaN;
        };
    return StaticSplit.evaluate(split, scorer, settings.k());
  }
}
