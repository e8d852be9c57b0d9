package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.learning.ServingModels;
import dev.freshet.actors.learning.Trainer;
import dev.freshet.actors.ranking.RankingSettings;
import dev.freshet.http.routes.AdminRoutes;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.JdbcInteractionRows;
import dev.freshet.persistence.JdbcModelVersions;
import dev.freshet.streams.ModelRefresh;
import dev.freshet.streams.TrainingJob;
import dev.freshet.streams.TrainingRun;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Learning from what users did (SPEC C8): the models this node serves (the promoted version and
 * those variants pin, kept current from PostgreSQL), and the training job, a cluster singleton that
 * trains on the events read model and records model versions.
 */
record LearningSubsystem(JdbcModelVersions versions, ServingModels models, ModelRefresh refresh) {

  /** Before the user entities: they fold users in against these models. */
  static LearningSubsystem serve(ActorSystem<?> system, Config config, Database database) {
    JdbcModelVersions versions = new JdbcModelVersions(database.dataSource());
    ServingModels models = new ServingModels();
    ModelRefresh refresh =
        ModelRefresh.start(
            system,
            versions,
            models,
            RankingSettings.fromConfig(config).pinnedModels(),
            config.getDuration("freshet.learning.refresh-interval"));
    return new LearningSubsystem(versions, models, refresh);
  }

  /**
   * Starts the training job; a version it promotes is served on this node at once (other nodes find
   * it at their next refresh).
   */
  AdminRoutes.Learning train(
      ActorSystem<?> system, Config config, Database database, TrainingJob.Observer metrics) {
    TrainingJob.Settings settings = TrainingJob.Settings.fromConfig(config);
    TrainingRun run =
        new TrainingRun(
            new JdbcInteractionRows(database.dataSource()),
            versions,
            Trainer.Settings.fromConfig(config),
            settings.window());
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    TrainingJob.Observer observer =
        new TrainingJob.Observer() {
          @Override
          public void finished(TrainingRun.Result result, long millis) {
            metrics.finished(result, millis);
            if (result.promoted()) CompletableFuture.runAsync(refresh::refreshNow, blocking);
          }

          @Override
          public void failed(String error, long millis) {
            metrics.failed(error, millis);
          }
        };
    return new AdminRoutes.Learning(TrainingJob.init(system, settings, run, observer), versions);
  }
}
