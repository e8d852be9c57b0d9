package dev.freshet.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolStatus;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/admin/…}: what operators look at. */
final class AdminRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final ActorRef<PoolCoordinator.Command> pool;
  private final Duration askTimeout;
  private final ObjectMapper mapper;

  AdminRoutes(ActorSystem<?> system, ActorRef<PoolCoordinator.Command> pool, Duration askTimeout, ObjectMapper mapper) {
    this.system = system;
    this.pool = pool;
    this.askTimeout = askTimeout;
    this.mapper = mapper;
  }

  Route routes() {
    return path("pool", () -> get(this::pool));
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
