package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.http.FreshetRoutes;
import dev.freshet.http.api.ClusterView;
import dev.freshet.http.dashboard.DashboardStatistics;
import dev.freshet.http.edge.EdgeServices;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.http.metrics.Metrics;
import dev.freshet.http.routes.AdminRoutes;
import dev.freshet.http.routes.ReadinessCheck;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.JdbcFavoriteShares;
import dev.freshet.persistence.JdbcUserData;
import dev.freshet.persistence.PrivacySettings;
import dev.freshet.streams.UserData;
import dev.freshet.streams.UserHistory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.javadsl.HealthChecks;

/**
 * The HTTP edge: its services (API keys with their revocation listener, rate limits, idempotency),
 * the routes over every other subsystem, bound on {@code freshet.http} (the public API on {@code
 * port}, the internal API on {@code internal.port}) and unbound by CoordinatedShutdown.
 */
final class EdgeSubsystem {

  private EdgeSubsystem() {}

  static Bindings init(
      ActorSystem<?> system,
      Config config,
      Database database,
      Catalog catalog,
      PopularitySubsystem popularity,
      UserSubsystem users,
      ReadModelSubsystem readModels,
      Metrics metrics,
      VectorLookup vectors,
      AdminRoutes.Learning learning,
      ClusterView cluster) {
    HttpSettings settings = HttpSettings.fromConfig(config);
    EdgeServices services = EdgeServices.start(system, config, database.dataSource());
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "stop-api-key-listener",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      services.keys().close();
                      return Done.getInstance();
                    }));
    PrivacySettings privacy = PrivacySettings.fromConfig(config);
    UserData userData =
        new UserData(
            system,
            readModels.journal(),
            new JdbcUserData(database.dataSource(), privacy.tombstoneTtl()));
    // erasure for members without a database (the cluster client's proxies), as DELETE does it
    ErasureService.start(system, userData, settings.askTimeout());
    FreshetRoutes routes =
        new FreshetRoutes(
            system,
            settings,
            new FreshetRoutes.Backends(
                catalog,
                popularity.popularity(),
                popularity.feed(),
                users.settings().features().signals(),
                users.settings().ranking(),
                readModels.rankingEvents(),
                new UserHistory(system, readModels.journal()),
                new JdbcFavoriteShares(database.dataSource()),
                userData,
                vectors),
            new FreshetRoutes.Operations(
                readiness(system, config),
                users.pool(),
                readModels.pipelines(),
                metrics,
                learning,
                cluster,
                new DashboardStatistics(
                    database.dataSource(),
                    system.dispatchers().lookup(DispatcherSelector.blocking()),
                    DashboardStatistics.Settings.fromConfig(config),
                    Clock.systemUTC())),
            services);
    ServerBinding api =
        Http.get(system)
            .newServerAt(settings.host(), settings.port())
            .bindFlow(routes.connectionFlow())
            .toCompletableFuture()
            .join()
            .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
    ServerBinding internal =
        Http.get(system)
            .newServerAt(settings.host(), settings.internalPort())
            .bindFlow(routes.internalConnectionFlow())
            .toCompletableFuture()
            .join()
            .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
    EdgeHealthCheck.Listening.get(system).bound();
    return new Bindings(api, internal);
  }

  /** The public API's listener and the internal API's. */
  record Bindings(ServerBinding api, ServerBinding internal) {}

  /** The edge's readiness is Pekko Management's: cluster membership, sharding and the database. */
  private static ReadinessCheck readiness(ActorSystem<?> system, Config config) {
    HealthChecks checks =
        new HealthChecks(
            (ExtendedActorSystem) system.classicSystem(),
            HealthCheckSettings.create(config.getConfig("pekko.management.health-checks")));
    return () -> checks.readyResult().thenApply(result -> result.failure());
  }
}
