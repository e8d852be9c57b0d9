package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.learning.Trainer;
import dev.freshet.http.routes.AdminRoutes;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.JdbcInteractionRows;
import dev.freshet.persistence.JdbcModelVersions;
import dev.freshet.streams.TrainingJob;
import dev.freshet.streams.TrainingRun;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Learning from what users did (SPEC C8): the training job, a cluster singleton that trains on the
 * events read model and records model versions in PostgreSQL.
 */
final class LearningSubsystem {

  private LearningSubsystem() {}

  static AdminRoutes.Learning init(
      ActorSystem<?> system, Config config, Database database, TrainingJob.Observer metrics) {
    TrainingJob.Settings settings = TrainingJob.Settings.fromConfig(config);
    JdbcModelVersions versions = new JdbcModelVersions(database.dataSource());
    TrainingRun run =
        new TrainingRun(
            new JdbcInteractionRows(database.dataSource()),
            versions,
            Trainer.Settings.fromConfig(config),
            settings.window());
    return new AdminRoutes.Learning(TrainingJob.init(system, settings, run, metrics), versions);
  }
}
