package dev.freshet.streams.readmodel;

import dev.freshet.actors.user.UserEventTags;
import dev.freshet.persistence.ReadModelPartitions;
import java.util.List;
import java.util.Optional;
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

  public static final List<ReadModel> ALL = List.of(new ImpressionsReadModel(), new EventsReadModel());

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
      ShardedDaemonProcess.get(system)
          .init(
              ReadModelDaemon.Command.class,
              "read-model-" + model.name(),
              tags.size(),
              i ->
                  ReadModelDaemon.create(
                      new ReadModelProjection(
                          system, model, tags.get(i), journal, dataSource, partitions, settings, counters)),
              ShardedDaemonProcessSettings.create(system),
              Optional.of(ReadModelDaemon.Stop.INSTANCE));
    }
    ShardedDaemonProcess.get(system)
        .init(
            ReadModelDaemon.Command.class,
            "read-model-" + FeatureSnapshots.NAME,
            1,
            i -> ReadModelDaemon.create(new FeatureSnapshots(system, dataSource, snapshots)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ReadModelDaemon.Stop.INSTANCE));
    ShardedDaemonProcess.get(system)
        .init(
            ReadModelDaemon.Command.class,
            "retention",
            1,
            i -> ReadModelDaemon.create(new RetentionJob(system, dataSource, partitions, retention)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ReadModelDaemon.Stop.INSTANCE));
  }
}
