package dev.freshet.http.routes;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.learning.ModelVersions;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolStatus;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.http.api.ClusterAnswer;
import dev.freshet.http.api.ClusterView;
import dev.freshet.http.api.ModelsAnswer;
import dev.freshet.http.api.PipelinesAnswer;
import dev.freshet.http.api.PoolAnswer;
import dev.freshet.http.api.VectorsAnswer;
import dev.freshet.http.metrics.Alerts;
import dev.freshet.http.metrics.AlertsAnswer;
import dev.freshet.streams.TrainingJob;
import dev.freshet.streams.readmodel.PipelineMonitor;
import dev.freshet.streams.readmodel.PipelineStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/admin/…}: what operators look at. */
public final class AdminRoutes extends ApiRoutes {

  private final ActorSystem<?> system;
  private final ActorRef<PoolCoordinator.Command> pool;
  private final Duration askTimeout;
  private final PipelineMonitor pipelines;
  private final Alerts alerts;
  private final Executor blocking;
  private final VectorLookup vectors;
  private final Learning learning;
  private final ClusterView cluster;
  private final Duration clusterStatsTimeout;

  /** The training job and where its versions are kept. */
  public record Learning(ActorRef<TrainingJob.Command> job, ModelVersions versions) {}

  public AdminRoutes(
      ActorSystem<?> system,
      ActorRef<PoolCoordinator.Command> pool,
      PipelineMonitor pipelines,
      Alerts alerts,
      Duration askTimeout,
      VectorLookup vectors,
      Learning learning,
      ClusterView cluster,
      Duration clusterStatsTimeout,
      ObjectMapper mapper) {
    super(mapper);
    this.cluster = cluster;
    this.clusterStatsTimeout = clusterStatsTimeout;
    this.vectors = vectors;
    this.learning = learning;
    this.system = system;
    this.pool = pool;
    this.pipelines = pipelines;
    this.alerts = alerts;
    this.askTimeout = askTimeout;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  public Route routes() {
    return concat(
        path("pool", () -> get(this::pool)),
        path("cluster", () -> get(this::cluster)),
        path("pipelines", () -> get(this::pipelines)),
        path("alerts", () -> get(this::alerts)),
        path("vectors", () -> get(() -> json(200, VectorsAnswer.of(vectors)))),
        path("models", () -> get(this::models)),
        path(segment("models").slash("train"), () -> post(this::train)));
  }

  /**
   * The cluster as this node sees it: members, unreachable members with their observers, and the
   * user entities' shards and entities per node. Shard statistics are asked with {@code
   * freshet.http.cluster-stats-timeout}; regions that do not answer in time (an unreachable node)
   * are named in the answer, which is still a 200 with what is known.
   */
  private Route cluster() {
    ClusterView.Membership membership = cluster.membership();
    return onSuccess(
        cluster.sharding(clusterStatsTimeout),
        sharding ->
            json(200, ClusterAnswer.of(membership, sharding, clusterStatsTimeout.toMillis())));
  }

  /** The training job's state and the latest model versions (read off the serving threads). */
  private Route models() {
    CompletionStage<TrainingJob.Status> status =
        AskPattern.ask(learning.job(), TrainingJob.GetStatus::new, askTimeout, system.scheduler());
    return onSuccess(
        status.thenCombine(
            CompletableFuture.supplyAsync(
                () -> learning.versions().latest(MODELS_LISTED), blocking),
            ModelsAnswer::of),
        answer -> json(200, answer));
  }

  private static final int MODELS_LISTED = 20;

  /**
   * Starts a training run now. While one is going, that run is the answer: 202 with {@code started}
   * false, and nothing else starts.
   */
  private Route train() {
    return onSuccess(
        AskPattern.<TrainingJob.Command, TrainingJob.Accepted>ask(
            learning.job(), TrainingJob.Train::new, askTimeout, system.scheduler()),
        accepted -> json(202, accepted));
  }

  /**
   * SPEC C9's alerts as this node sees them now (the rules of {@code
   * k8s/prometheus/freshet-alerts.yml} on this node's own metrics): per alert its state (ok,
   * pending, firing), value, threshold and what it measures; firing ones first.
   */
  private Route alerts() {
    return json(200, AlertsAnswer.of(alerts.evaluate(), alerts.settings().window(), Instant.now()));
  }

  /**
   * Every read-model projection wherever it runs: committed offset, lag (age of the oldest event
   * not yet committed), events waiting, rows/s over the last sampling interval, totals (dead
   * letters among them) and the last error. Taken from the node's latest sample, or sampled now if
   * there is none yet.
   */
  private Route pipelines() {
    CompletionStage<List<PipelineStatus>> statuses =
        pipelines.current().isEmpty()
            ? CompletableFuture.supplyAsync(pipelines::sample, blocking)
            : CompletableFuture.completedFuture(pipelines.current());
    return onSuccess(statuses, list -> json(200, PipelinesAnswer.of(list)));
  }

  /**
   * Predictive pool generation as the cluster's coordinator sees it: users at risk, demand waiting,
   * requests in flight, the latest completed and failed ones with their reasons, and totals.
   */
  private Route pool() {
    return onSuccess(
        AskPattern.<PoolCoordinator.Command, PoolStatus>ask(
            pool, PoolCoordinator.GetStatus::new, askTimeout, system.scheduler()),
        status -> json(200, PoolAnswer.of(status)));
  }
}
