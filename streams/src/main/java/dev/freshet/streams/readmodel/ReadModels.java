package dev.freshet.streams.readmodel;

import dev.freshet.actors.user.UserEventTags;
import dev.freshet.persistence.ReadModelPartitions;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;

/**
 * Starts the journal projections (one daemon process per read model, one instance per tag) and the
 * periodic feature snapshots and the retention job (one instance each).
 */
public final class ReadModels {

  public static final List<ReadModel> ALL =
      List.of(new ImpressionsReadModel(), new EventsReadModel());

  private ReadModels() {}

  public static void start(
      ActorSystem<?> system,
      ProjectionSettings settings,
      int tagSlices,
      EventsByTagQuery journal,
      DataSource dataSource,
      ProjectionCounters counters,
      FeatureSnapshots.Settings snapshots,
      RetentionJob.Settings retention) {
    ReadModelPartitions partitions = new ReadModelPartitions(dataSource);
    List<String> tags = UserEventTags.all(tagSlices);
    for (ReadModel model : ALL) {
      daemon(
          system,
          "read-model-" + model.name(),
          tags.size(),
          i ->
              new ReadModelProjection(
                  system, model, tags.get(i), journal, dataSource, partitions, settings, counters));
    }
    daemon(
        system,
        "read-model-" + FeatureSnapshots.NAME,
        1,
        i -> new FeatureSnapshots(system, dataSource, snapshots));
    daemon(
        system, "retention", 1, i -> new RetentionJob(system, dataSource, partitions, retention));
  }

  /**
   * {@code instances} daemons of {@code name}, each running its pipeline and drained by {@link
   * ReadModelDaemon.Stop}.
   */
  private static void daemon(
      ActorSystem<?> system, String name, int instances, IntFunction<Pipeline> pipeline) {
    ShardedDaemonProcess.get(system)
        .init(
            ReadModelDaemon.Command.class,
            name,
            instances,
            i -> ReadModelDaemon.create(pipeline.apply(i)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ReadModelDaemon.Stop.INSTANCE));
  }
}
