package dev.freshet.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.learning.Trainer;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolMetrics;
import dev.freshet.actors.pool.PoolSettings;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.popularity.PopularityTracker;
import dev.freshet.actors.ranking.Ranking;
import dev.freshet.actors.ranking.RankingLog;
import dev.freshet.actors.ranking.RankingSettings;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.api.ClusterView;
import dev.freshet.http.dashboard.DashboardStatistics;
import dev.freshet.http.edge.EdgeServices;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.http.metrics.Alerts;
import dev.freshet.http.metrics.MetricHistory;
import dev.freshet.http.metrics.Metrics;
import dev.freshet.http.routes.AdminRoutes;
import dev.freshet.http.routes.ReadinessCheck;
import dev.freshet.persistence.JdbcFavoriteShares;
import dev.freshet.persistence.JdbcInteractionRows;
import dev.freshet.persistence.JdbcModelVersions;
import dev.freshet.persistence.JdbcUserData;
import dev.freshet.persistence.PrivacySettings;
import dev.freshet.streams.DemoPoolGenerator;
import dev.freshet.streams.PopularityFeed;
import dev.freshet.streams.TrainingJob;
import dev.freshet.streams.TrainingRun;
import dev.freshet.streams.UserData;
import dev.freshet.streams.UserHistory;
import dev.freshet.streams.readmodel.PipelineMonitor;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.apache.pekko.http.javadsl.testkit.RouteTest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import scala.concurrent.Future;

/**
 * Route tests without a node: pekko-http-testkit's {@link RouteTest} (whose JUnit 4 base we do not
 * use) with JUnit 5 assertions, over the whole route tree of {@link FreshetRoutes} — edge included
 * — as one test class's actor system serves it. That system has the cluster provider (the routes
 * reach users through Cluster Sharding) but never joins a cluster, and there is no database ({@link
 * NoDatabase}) and no JDBC journal: what these tests see is answered before any of them is needed,
 * but for the pool coordinator's bookkeeping, event-sourced on Pekko's in-memory journal. The
 * catalog is a real {@link Catalog} over {@link InMemoryCatalogStore}, popularity and the pool
 * coordinator are the real actors, metrics and alerts the real registry.
 *
 * <p>One system per test class ({@link TestInstance.Lifecycle#PER_CLASS}); a class changes the
 * configuration (auth, rate limits, CORS) with {@link #overrides()}. Auth and rate limits are off
 * unless a class turns them on: with them, every keyed route would need the database to check a
 * key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RouteTesting extends RouteTest {

  private static final Config BASE =
      ConfigFactory.parseString(
          """
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = "127.0.0.1"
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.enabled = off
          pekko.coordinated-shutdown.exit-jvm = off
          pekko.loglevel = WARNING
          pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
          pekko.persistence.snapshot-store.plugin = "pekko.persistence.no-snapshot-store"
          freshet.auth.enabled = off
          freshet.auth.admin-key = ""
          freshet.limits.enabled = off
          """);

  private ActorTestKit testKit;
  private EdgeServices edgeServices;

  /** The catalog the routes answer from (items {@code ok0}…{@code ok9}, category news). */
  protected Catalog catalog;

  /** The routes under test, edge included. */
  protected Route routes;

  /** This class's configuration on top of the route tests' own. */
  protected Config overrides() {
    return ConfigFactory.empty();
  }

  @BeforeAll
  final void startRoutes() {
    Config config = overrides().withFallback(BASE).withFallback(ConfigFactory.load()).resolve();
    testKit = ActorTestKit.create(getClass().getSimpleName(), config);
    var system = testKit.system();
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    catalog = new Catalog(new InMemoryCatalogStore(), blocking);
    seedCatalog();

    Config popularityConfig = config.getConfig("freshet.popularity");
    Popularity popularity = new Popularity(popularityConfig.getDuration("half-life").toMillis());
    var tracker = testKit.spawn(PopularityTracker.create(popularity), "popularity-tracker");
    PopularityFeed feed =
        PopularityFeed.start(
            system,
            tracker,
            popularityConfig.getDuration("window"),
            popularityConfig.getInt("buffer"),
            popularityConfig.getDuration("half-life").toMillis());
    PoolMetrics poolMetrics = new PoolMetrics();
    HttpSettings settings = HttpSettings.fromConfig(config);
    var pool =
        testKit.spawn(
            PoolCoordinator.create(
                PoolSettings.fromConfig(config),
                new DemoPoolGenerator(settings.embeddingDimension(), 1L),
                catalog,
                poolMetrics),
            "pool-coordinator");
    Metrics metrics =
        Metrics.of(poolMetrics)
            .startAlerts(system, Alerts.Settings.fromConfig(config))
            .startHistory(system, MetricHistory.Settings.fromConfig(config));
    var noDatabase = new NoDatabase();
    edgeServices = EdgeServices.start(system, config, noDatabase);
    FreshetRoutes freshet =
        new FreshetRoutes(
            system,
            settings,
            new FreshetRoutes.Backends(
                catalog,
                popularity,
                feed,
                FeatureSettings.fromConfig(config).signals(),
                RankingSettings.fromConfig(config),
                NOT_LOGGED,
                new UserHistory(system, NO_JOURNAL),
                new JdbcFavoriteShares(noDatabase),
                new UserData(
                    system,
                    NO_JOURNAL,
                    new JdbcUserData(
                        noDatabase, PrivacySettings.fromConfig(config).tombstoneTtl())),
                VectorLookup.none()),
            new FreshetRoutes.Operations(
                readiness(),
                pool,
                new PipelineMonitor(noDatabase),
                metrics,
                new AdminRoutes.Learning(
                    testKit.spawn(
                        TrainingJob.create(
                            TrainingJob.Settings.fromConfig(
                                ConfigFactory.parseString("freshet.learning.enabled = off")
                                    .withFallback(config)),
                            new TrainingRun(
                                    new JdbcInteractionRows(noDatabase),
                                    new JdbcModelVersions(noDatabase),
                                    Trainer.Settings.fromConfig(config),
                                    java.time.Duration.ofDays(30))
                                ::run),
                        "training-job"),
                    new JdbcModelVersions(noDatabase)),
                clusterView(),
                new DashboardStatistics(
                    noDatabase,
                    blocking,
                    DashboardStatistics.Settings.fromConfig(config),
                    java.time.Clock.systemUTC())),
            edgeServices);
    routes = freshet.routes();
  }

  @AfterAll
  final void stopRoutes() {
    if (edgeServices != null) edgeServices.keys().close();
    if (testKit != null) testKit.shutdownTestKit();
  }

  /** Whether the node is ready, as {@code /health/ready} asks; ready unless a class says not. */
  protected ReadinessCheck readiness() {
    return () -> CompletableFuture.completedFuture(Optional.empty());
  }

  /**
   * The cluster the admin view shows: these tests' system never joins one, so a fixed view of two
   * members, the second unreachable from the first and its region not answering.
   */
  protected ClusterView clusterView() {
    return FIXED_CLUSTER;
  }

  protected static final ClusterView FIXED_CLUSTER =
      new ClusterView() {
        private static final String A = "pekko://freshet@10.0.0.1:7355";
        private static final String B = "pekko://freshet@10.0.0.2:7355";

        @Override
        public Membership membership() {
          return new Membership(
              A,
              A,
              A,
              List.of(
                  new Member(A, "up", List.of("dc-default"), 1, "1.0.0", true),
                  new Member(B, "up", List.of("dc-default"), 2, "1.0.0", false)),
              List.of(new Unreachable(B, "up", List.of(A))));
        }

        @Override
        public CompletionStage<Sharding> sharding(java.time.Duration timeout) {
          return CompletableFuture.completedFuture(
              new Sharding(
                  "User",
                  List.of(new Region(A, java.util.Map.of("3", 2L, "7", 1L), List.of())),
                  List.of(B)));
        }
      };

  /** Items ok0…ok9 of category news, upserted through the catalog as POST /v1/items does. */
  private void seedCatalog() {
    List<ItemUpsert> items =
        IntStream.range(0, 10)
            .mapToObj(
                i ->
                    new ItemUpsert(
                        "ok" + i,
                        "news",
                        List.of(),
                        1_700_000_000_000L + i,
                        ItemStatus.ACTIVE,
                        10 - i,
                        null,
                        "{}"))
            .toList();
    try {
      catalog.upsert(items).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("seeding the catalog failed", e);
    }
  }

  /** Served rankings are never reached by these tests (they need a user entity). */
  private static final RankingLog NOT_LOGGED =
      new RankingLog() {
        @Override
        public void served(String userId, Ranking ranking) {
          throw new IllegalStateException("route tests serve no rankings");
        }

        @Override
        public void shadow(String userId, Ranking ranking) {
          throw new IllegalStateException("route tests serve no rankings");
        }
      };

  /** Like the database, the journal is absent: reading it fails. */
  private static final CurrentEventsByPersistenceIdQuery NO_JOURNAL =
      (persistenceId, from, to) ->
          Source.failed(new IllegalStateException("route tests have no journal"));

  // ---- RouteTest with JUnit 5 ------------------------------------------------------------------

  @Override
  public ActorSystem system() {
    return Adapter.toClassic(testKit.system());
  }

  @Override
  public Materializer materializer() {
    return SystemMaterializer.get(system()).materializer();
  }

  @Override
  public TestRouteResult createTestRouteResultAsync(
      HttpRequest request, Future<RouteResult> result) {
    return new TestRouteResult(result, awaitDuration(), executionContext(), materializer()) {
      @Override
      public void fail(String message) {
        Assertions.fail(message + "\n  Request was: " + request);
      }

      @Override
      public void assertEquals(Object expected, Object actual, String message) {
        Assertions.assertEquals(expected, actual, message + "\n  Request was: " + request);
      }

      @Override
      public void assertEquals(int expected, int actual, String message) {
        Assertions.assertEquals(expected, actual, message + "\n  Request was: " + request);
      }

      @Override
      public void assertTrue(boolean predicate, String message) {
        Assertions.assertTrue(predicate, message + "\n  Request was: " + request);
      }
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** {@code request} through the routes (sealed, as the node's connection handler runs them). */
  protected TestRouteResult run(HttpRequest request) {
    return testRoute(routes).run(request);
  }

  /**
   * Header {@code name} as the server's parser makes it: a modelled header where Pekko has one
   * ({@code Origin}, {@code Access-Control-Request-Method}…), which is what CORS looks for; a
   * {@code RawHeader} made by hand would be a different request than any a client can send.
   */
  protected static HttpHeader header(String name, String value) {
    return HttpHeader.parse(name, value);
  }

  /** The answer's body as JSON. */
  protected static JsonNode json(TestRouteResult result) {
    try {
      return ApiJson.mapper().readTree(result.entityString());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + result.entityString(), e);
    }
  }

  /**
   * Asserts API.md's error answer: {@code status}, JSON, the error's {@code code} and {@code field}
   * ({@code null}: none), a message and the trace id of the X-Request-Id header. Returns the error.
   */
  protected static JsonNode assertError(
      TestRouteResult result, int status, String code, String field) {
    result.assertStatusCode(status).assertContentType("application/json");
    JsonNode error = json(result).path("error");
    assertThat(error.path("code").asText()).as("error code").isEqualTo(code);
    if (field == null) assertThat(error.has("field")).as("error field").isFalse();
    else assertThat(error.path("field").asText()).as("error field").isEqualTo(field);
    assertThat(error.path("message").asText()).as("error message").isNotBlank();
    assertThat(error.path("traceId").asText())
        .as("error traceId")
        .isEqualTo(result.response().getHeader("X-Request-Id").orElseThrow().value());
    return error;
  }
}
