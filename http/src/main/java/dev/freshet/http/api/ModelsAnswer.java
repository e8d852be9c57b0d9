package dev.freshet.http.api;

import dev.freshet.actors.learning.ModelVersions;
import dev.freshet.streams.TrainingJob;
import java.util.List;

/** {@code GET /v1/admin/models}: the training job and the latest model versions. */
public record ModelsAnswer(TrainingJob.Status training, List<Version> versions) {

  /** One version as operators read it (its factors left out). */
  public record Version(
      long version,
      String trainedAt,
      String algorithm,
      String params,
      double ndcg,
      double recall,
      double popularityNdcg,
      int evaluatedUsers,
      int k,
      int users,
      int items,
      int factors,
      boolean promoted,
      String note) {}

  public static ModelsAnswer of(TrainingJob.Status training, List<ModelVersions.Version> versions) {
    return new ModelsAnswer(
        training,
        versions.stream()
            .map(
                v ->
                    new Version(
                        v.version(),
                        v.trainedAt().toString(),
                        v.algorithm(),
                        v.params(),
                        v.evaluation().ndcg(),
                        v.evaluation().recall(),
                        v.evaluation().popularityNdcg(),
                        v.evaluation().users(),
                        v.evaluation().k(),
                        v.users(),
                        v.items(),
                        v.factors(),
                        v.promoted(),
                        v.note()))
            .toList());
  }
}
