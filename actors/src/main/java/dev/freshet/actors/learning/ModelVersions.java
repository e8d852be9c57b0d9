package dev.freshet.actors.learning;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where trained models are kept, each version with how it evaluated: the port the training job
 * writes to and nodes read the serving model from (PostgreSQL in production).
 */
public interface ModelVersions {

  /** How a model did on the time holdout it was trained for, against popularity on the same. */
  record Evaluation(double ndcg, double recall, double popularityNdcg, int users, int k) {}

  /**
   * One trained model. {@code itemFactors} holds {@code factors} floats per row: with {@code
   * itemIds} empty, row {@code i} is the item with dense id {@code i} (ALS: {@code items} rows of
   * its factors); else row {@code r} is item {@code itemIds[r]} (EASE: a row of its weights over
   * the same items, {@code factors} being their number).
   */
  record Version(
      long version,
      Instant trainedAt,
      String algorithm,
      String params,
      Evaluation evaluation,
      int users,
      int items,
      int factors,
      float[] itemFactors,
      int[] itemIds,
      boolean promoted,
      String note) {}

  /** Stores a new version (its {@code version} is ignored) and answers the number it was given. */
  long record(Version version);

  /** Marks {@code version} as the one to serve (and no other). */
  void promote(long version);

  /** The version marked to serve, with its factors. */
  Optional<Version> serving();

  /** The number of the version marked to serve: cheap, for nodes to poll. */
  java.util.OptionalLong servingVersion();

  /** One version with its factors. */
  Optional<Version> find(long version);

  /** The latest versions first, without their factors. */
  List<Version> latest(int limit);
}
