package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.JdbcRankingEventStore;
import dev.freshet.persistence.PrivacySettings;
import dev.freshet.streams.RankingEventWriter;
import dev.freshet.streams.readmodel.FeatureSnapshots;
import dev.freshet.streams.readmodel.PipelineMonitor;
import dev.freshet.streams.readmodel.ProjectionCounters;
import dev.freshet.streams.readmodel.ProjectionSettings;
import dev.freshet.streams.readmodel.ReadModels;
import dev.freshet.streams.readmodel.RetentionJob;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;

/**
 * The read models in PostgreSQL, fed from the journal by projections that each run once in the
 * cluster (when {@code freshet.read-models.enabled}), the monitor every node samples them with, and
 * the write-behind of served rankings ({@code ranking_events}).
 */
record ReadModelSubsystem(
    JdbcReadJournal journal,
    PipelineMonitor pipelines,
    ProjectionCounters counters,
    RankingEventWriter rankingEvents) {

  static ReadModelSubsystem init(
      ActorSystem<?> system, Config config, Database database, int tagSlices) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system.classicSystem())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    ProjectionSettings projections = ProjectionSettings.fromConfig(config);
    ProjectionCounters counters = new ProjectionCounters();
    if (projections.enabled()) {
      ReadModels.start(
          system,
          projections,
          tagSlices,
          journal,
          database.dataSource(),
          counters,
          FeatureSnapshots.Settings.fromConfig(config),
          RetentionJob.Settings.fromConfig(config));
    }
    PipelineMonitor pipelines =
        PipelineMonitor.start(system, database.dataSource(), projections.monitorInterval());
    RankingEventWriter rankingEvents =
        RankingEventWriter.start(
            system,
            new JdbcRankingEventStore(
                database.dataSource(), PrivacySettings.fromConfig(config).rankingGrace()),
            RankingEventWriter.Settings.fromConfig(config));
    return new ReadModelSubsystem(journal, pipelines, counters, rankingEvents);
  }
}
