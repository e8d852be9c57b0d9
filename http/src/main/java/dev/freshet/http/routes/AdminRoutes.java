package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolStatus;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.metrics.Alerts;
import dev.freshet.streams.readmodel.PipelineMonitor;
import dev.freshet.streams.readmodel.PipelineStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/admin/…}: what operators look at. */
public final class AdminRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final ActorRef<PoolCoordinator.Command> pool;
  private final Duration askTimeout;
  private final ObjectMapper mapper;
  private final PipelineMonitor pipelines;
  private final Alerts alerts;
  private final Executor blocking;

  public AdminRoutes(
      ActorSystem<?> system,
      ActorRef<PoolCoordinator.Command> pool,
      PipelineMonitor pipelines,
      Alerts alerts,
      Duration askTimeout,
      ObjectMapper mapper) {
    this.system = system;
    this.pool = pool;
    this.pipelines = pipelines;
    this.alerts = alerts;
    this.askTimeout = askTimeout;
    this.mapper = mapper;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  public Route routes() {
    return concat(
        path("pool", () -> get(this::pool)),
        path("pipelines", () -> get(this::pipelines)),
        path("alerts", () -> get(this::alerts)));
  }

  /**
   * SPEC C9's alerts as this node sees them now (the rules of {@code
   * k8s/prometheus/freshet-alerts.yml} on this node's own metrics): per alert its state (ok,
   * pending, firing), value, threshold and what it measures; firing ones first.
   */
  private Route alerts() {
    List<Alerts.Status> statuses = new ArrayList<>(alerts.evaluate());
    statuses.sort(
        Comparator.comparingInt(
            s -> s.state().equals("firing") ? 0 : s.state().equals("pending") ? 1 : 2));
    ObjectNode body = mapper.createObjectNode();
    body.put("evaluatedAt", Instant.now().toString());
    body.put("windowSeconds", alerts.settings().window().toSeconds());
    body.put("firing", statuses.stream().filter(s -> s.state().equals("firing")).count());
    ArrayNode array = body.putArray("alerts");
    for (Alerts.Status s : statuses) {
      ObjectNode n = array.addObject();
      n.put("name", s.name());
      n.put("config", s.config());
      n.put("state", s.state());
      if (s.value() == null) n.putNull("value");
      else n.put("value", s.value());
      n.put("threshold", s.threshold());
      n.put("comparison", s.comparison());
      n.put("forSeconds", s.forSeconds());
      n.put("activeSince", s.activeSince() == null ? null : s.activeSince().toString());
      n.put("severity", s.severity());
      n.put("summary", s.summary());
      n.put("description", s.description());
      if (s.note() != null) n.put("note", s.note());
    }
    return complete(ApiJson.response(mapper, 200, body));
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
    return onSuccess(
        statuses,
        list -> {
          ObjectNode body = mapper.createObjectNode();
          ArrayNode array = body.putArray("pipelines");
          for (PipelineStatus s : list) {
            ObjectNode n = array.addObject();
            n.put("projection", s.projection());
            n.put("tag", s.tag());
            n.put("healthy", s.healthy());
            n.put("offset", s.offset());
            n.put("lagSeconds", s.lagSeconds());
            n.put("pendingEvents", s.pendingEvents());
            n.put("rowsPerSecond", Math.round(s.rowsPerSecond() * 10) / 10.0);
            n.put("rowsTotal", s.rowsTotal());
            n.put("skippedTotal", s.skippedTotal());
            n.put("deadLettersTotal", s.deadLettersTotal());
            n.put("batchesTotal", s.batchesTotal());
            n.put("lastEventAt", s.lastEventAt() == null ? null : s.lastEventAt().toString());
            n.put("updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString());
            if (s.lastError() != null) {
              n.putObject("lastError")
                  .put("message", s.lastError())
                  .put("at", s.lastErrorAt() == null ? null : s.lastErrorAt().toString());
            } else {
              n.putNull("lastError");
            }
          }
          return complete(ApiJson.response(mapper, 200, body));
        });
  }

  /**
   * Predictive pool generation as the cluster's coordinator sees it: users at risk, demand waiting,
   * requests in flight, the latest completed and failed ones with their reasons, and totals.
   */
  private Route pool() {
    return onSuccess(
        AskPattern.<PoolCoordinator.Command, PoolStatus>ask(
            pool, PoolCoordinator.GetStatus::new, askTimeout, system.scheduler()),
        status -> complete(ApiJson.response(mapper, 200, status)));
  }
}
