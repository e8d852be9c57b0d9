package dev.freshet.streams.readmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.DashboardRollups;
import dev.freshet.persistence.ErasedUsers;
import dev.freshet.persistence.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code user_features}: every {@code interval}, a snapshot of the features of each user active
 * since the previous run (as {@code user_activity} records), asked of the user's entity, which is
 * where the decayed features live. A user is due when the projections saw activity after the
 * version of its last snapshot ({@code user_activity.version > snapshot_version}); a snapshot
 * records the version it covered in its own transaction, so a restart neither repeats nor skips
 * users, and activity projected late (another tag's projection lagging) is never passed over. The
 * {@code read_model_offsets} row of {@code user_features} shows the newest activity covered. A user
 * erased while a run is under way may have answered with what it knew before: such snapshots are
 * dropped (see {@link ErasedUsers}).
 */
public final class FeatureSnapshots implements Pipeline {

  public static final String NAME = "user_features";
  private static final String TAG = "all";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(FeatureSnapshots.class);

  /** {@code freshet.read-models.feature-snapshots}. */
  public record Settings(
      Duration interval, int parallelism, int maxUsersPerRun, Duration askTimeout) {
    public static Settings fromConfig(Config config) {
      var c = config.getConfig("freshet.read-models.feature-snapshots");
      return new Settings(
          c.getDuration("interval"),
          c.getInt("parallelism"),
          c.getInt("max-users-per-run"),
          c.getDuration("ask-timeout"));
    }
  }

  private record Active(String userId, Timestamp at, long version) {}

  /**
   * The users active since the last run, listed at {@code listedAt} (the database's clock): an
   * erasure after that may have come after some of them answered, one before it left none of
   * theirs.
   */
  private record Run(Instant listedAt, List<Active> active) {}

  private record Snapshot(Active user, UserEntity.UserStateView view) {}

  private final ActorSystem<?> system;
  private final DataSource dataSource;
  private final Settings settings;
  private final Executor blocking;
  private final SharedKillSwitch killSwitch = KillSwitches.shared("feature-snapshots");

  public FeatureSnapshots(ActorSystem<?> system, DataSource dataSource, Settings settings) {
    this.system = system;
    this.dataSource = dataSource;
    this.settings = settings;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  @Override
  public CompletionStage<Done> run() {
    return Source.tick(settings.interval(), settings.interval(), Done.getInstance())
        .via(killSwitch.flow())
        .mapAsync(
            1,
            tick ->
                takeSnapshots()
                    .exceptionally(
                        e -> {
                          log.warn(
                              "Feature snapshots failed; the next run picks up the same users", e);
                          return 0;
                        }))
        .runWith(Sink.ignore(), system);
  }

  @Override
  public void drain() {
    killSwitch.shutdown();
  }

  /** One run: snapshots of every user active since the last run; answers how many were written. */
  public CompletionStage<Integer> takeSnapshots() {
    return CompletableFuture.supplyAsync(this::activeUsers, blocking)
        .thenCompose(
            run -> {
              List<Active> active = run.active();
              if (active.isEmpty()) return CompletableFuture.completedFuture(0);
              var sharding = ClusterSharding.get(system);
              return Source.from(active)
                  .mapAsync(
                      settings.parallelism(),
                      a ->
                          sharding
                              .entityRefFor(UserEntity.TYPE_KEY, a.userId())
                              .<UserEntity.UserStateView>askWithStatus(
                                  UserEntity.GetState::new, settings.askTimeout())
                              .thenApply(view -> new Snapshot(a, view)))
                  .grouped(500)
                  .mapAsync(
                      1,
                      batch ->
                          CompletableFuture.supplyAsync(
                              () -> write(batch, run.listedAt()), blocking))
                  .runWith(Sink.fold(0, Integer::sum), system)
                  .thenApply(
                      n -> {
                        advance(active.get(active.size() - 1).at(), n);
                        log.info("Feature snapshots of {} active users written", n);
                        return n;
                      });
            });
  }

  private Run activeUsers() {
    try (Connection c = dataSource.getConnection()) {
      OffsetRows.ensure(c, NAME, TAG);
      c.setAutoCommit(false);
      // under the writers' lock, so that an erasure either comes entirely after listedAt or before
      // it
      ErasedUsers.lockForWrite(c);
      Instant listedAt;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
        rs.next();
        listedAt = rs.getObject(1, OffsetDateTime.class).toInstant();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT user_id, last_active_at, version FROM user_activity "
                  + "WHERE version > snapshot_version ORDER BY last_active_at LIMIT ?")) {
        ps.setInt(1, settings.maxUsersPerRun());
        List<Active> active = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next())
            active.add(new Active(rs.getString(1), rs.getTimestamp(2), rs.getLong(3)));
        }
        c.commit();
        return new Run(listedAt, active);
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not list active users", e);
    }
  }

  private int write(List<Snapshot> batch, Instant listedAt) {
    return Transactions.inTransaction(
        dataSource, "Could not write feature snapshots", c -> write(c, batch, listedAt));
  }

  private static String json(Object features) {
    try {
      return JSON.writeValueAsString(features);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Features not serializable", e);
    }
  }

  private int write(Connection c, List<Snapshot> batch, Instant listedAt) throws SQLException {
    Map<String, ErasedUsers.Tombstone> erased =
        ErasedUsers.lockAndFind(
            c, batch.stream().map(s -> s.user().userId()).collect(Collectors.toSet()));
    covered(c, batch);
    List<Snapshot> kept = new ArrayList<>(batch.size());
    for (Snapshot s : batch) {
      ErasedUsers.Tombstone tombstone = erased.get(s.user().userId());
      if (tombstone == null || tombstone.erasedAt().isBefore(listedAt)) kept.add(s);
    }
    if (kept.isEmpty()) return 0;
    int n = kept.size();
    String[] users = new String[n];
    Integer[] seen = new Integer[n];
    Integer[] unseen = new Integer[n];
    Double[] coverage = new Double[n];
    String[] features = new String[n];
    for (int i = 0; i < n; i++) {
      Snapshot s = kept.get(i);
      users[i] = s.user().userId();
      seen[i] = s.view().seen();
      unseen[i] = s.view().unseen();
      coverage[i] = s.view().coverage();
      features[i] = json(s.view().features());
    }
    // the whole batch in one statement
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO user_features (user_id, taken_at, seen, unseen, coverage, features) "
                + "SELECT u.user_id, now(), u.seen, u.unseen, u.coverage, u.features::jsonb "
                + "FROM unnest(?::text[], ?::int[], ?::int[], ?::float8[], ?::text[]) "
                + "AS u(user_id, seen, unseen, coverage, features) ON CONFLICT DO NOTHING")) {
      ps.setArray(1, c.createArrayOf("text", users));
      ps.setArray(2, c.createArrayOf("integer", seen));
      ps.setArray(3, c.createArrayOf("integer", unseen));
      ps.setArray(4, c.createArrayOf("float8", coverage));
      ps.setArray(5, c.createArrayOf("text", features));
      ps.executeUpdate();
    }
    // the dashboard's freshness by hour, in this transaction
    DashboardRollups.Freshness freshness = new DashboardRollups.Freshness();
    long now = System.currentTimeMillis();
    for (Snapshot s : kept) {
      freshness.snapshot(
          s.user().userId(),
          now,
          s.view().coverage(),
          FreshnessBands.Share.of(s.view().poolSize(), s.view().unseen()));
    }
    DashboardRollups.add(c, freshness);
    return n;
  }

  /**
   * Records the versions the snapshots cover, in one statement: a user whose version moved on since
   * it was listed stays due.
   */
  private static void covered(Connection c, List<Snapshot> batch) throws SQLException {
    if (batch.isEmpty()) return;
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE user_activity a SET snapshot_version = GREATEST(a.snapshot_version, u.version) "
                + "FROM unnest(?::text[], ?::bigint[]) AS u(user_id, version) WHERE a.user_id = u.user_id")) {
      ps.setArray(
          1,
          c.createArrayOf(
              "text", batch.stream().map(s -> s.user().userId()).toArray(String[]::new)));
      ps.setArray(
          2,
          c.createArrayOf(
              "bigint", batch.stream().map(s -> s.user().version()).toArray(Long[]::new)));
      ps.executeUpdate();
    }
  }

  /** The newest activity covered, for the pipelines' view (never moves back). */
  private void advance(Timestamp mark, int written) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE read_model_offsets SET ordering = GREATEST(ordering, ?), updated_at = now(), rows_total = rows_total + ?, "
                    + "batches_total = batches_total + 1, last_event_at = GREATEST(last_event_at, ?) WHERE projection = ? AND tag = ?")) {
      ps.setLong(1, mark.getTime());
      ps.setLong(2, written);
      ps.setTimestamp(3, mark);
      ps.setString(4, NAME);
      ps.setString(5, TAG);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not advance the feature snapshot mark", e);
    }
  }
}
