package dev.freshet.http.edge;

import com.typesafe.config.Config;
import dev.freshet.http.api.ApiJson;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/** The edge's own state, started once per node: API keys, rate limits and idempotency keys. */
public record EdgeServices(
    ApiKeys keys, RateLimits limits, Idempotency idempotency, Edge.Settings settings) {

  public static EdgeServices start(ActorSystem<?> system, Config config, DataSource dataSource) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    return new EdgeServices(
        ApiKeys.start(dataSource, blocking, ApiKeys.Settings.fromConfig(config)),
        RateLimits.start(system, RateLimits.Settings.fromConfig(config)),
        Idempotency.start(
            system,
            dataSource,
            blocking,
            ApiJson.mapper(),
            Idempotency.Settings.fromConfig(config)),
        Edge.Settings.fromConfig(config));
  }
}
