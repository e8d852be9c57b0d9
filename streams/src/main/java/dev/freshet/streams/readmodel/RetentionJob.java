package dev.freshet.streams.readmodel;

import com.typesafe.config.Config;
import dev.freshet.persistence.ErasedUsers;
import dev.freshet.persistence.ReadModelPartitions;
import dev.freshet.streams.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled purge ({@code freshet.retention}): one run at start and one every {@code interval}.
 * Each run also deletes the erasure tombstones that have expired and the read models' dead letters
 * older than the retention period.
 */
public final class RetentionJob implements Pipeline {

  private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

  /** {@code freshet.retention}. */
  public record Settings(
      Duration period, boolean requireExport, Duration interval, int deleteBatchSize) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.retention");
      return new Settings(
          c.getDuration("period"),
          c.getBoolean("require-export"),
          c.getDuration("interval"),
          c.getInt("delete-batch-size"));
    }
  }

  private final ActorSystem<?> system;
  private final Retention retention;
  private final DataSource dataSource;
  private final Settings settings;
  private final SharedKillSwitch killSwitch = KillSwitches.shared("retention");

  public RetentionJob(
      ActorSystem<?> system,
      DataSource dataSource,
      ReadModelPartitions partitions,
      Settings settings) {
    this.system = system;
    this.settings = settings;
    this.dataSource = dataSource;
    this.retention =
        new Retention(
            dataSource,
            partitions,
            settings.period(),
            settings.requireExport(),
            settings.deleteBatchSize());
  }

  @Override
  public CompletionStage<Done> run() {
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    return Source.tick(Duration.ofSeconds(30), settings.interval(), Done.getInstance())
        .via(killSwitch.flow())
        .mapAsync(
            1,
            tick ->
                CompletableFuture.supplyAsync(
                        () -> {
                          Instant now = Instant.now();
                          ErasedUsers.purgeExpired(dataSource);
                          retention.purgeDeadLetters(now);
                          retention.purgeRollups(now);
                          return retention.purge(now);
                        },
                        blocking)
                    .handle(
                        (result, error) -> {
                          if (error != null)
                            log.warn("Retention run failed; the next run tries again", error);
                          return Done.getInstance();
                        }))
        .runWith(Sink.ignore(), system);
  }

  @Override
  public void drain() {
    killSwitch.shutdown();
  }
}
