package dev.freshet.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.features.SignalWeights;
import dev.freshet.actors.feed.ActivityFeed;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.ranking.RankingLog;
import dev.freshet.actors.ranking.RankingSettings;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.FavoriteShares;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.api.ClusterView;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.assets.Assets;
import dev.freshet.http.dashboard.DashboardStatistics;
import dev.freshet.http.edge.Edge;
import dev.freshet.http.edge.EdgeServices;
import dev.freshet.http.edge.Endpoints;
import dev.freshet.http.edge.HeaderCheck;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.http.metrics.Metrics;
import dev.freshet.http.metrics.RequestMetrics;
import dev.freshet.http.openapi.OpenApi;
import dev.freshet.http.routes.AdminFeedRoutes;
import dev.freshet.http.routes.AdminRoutes;
import dev.freshet.http.routes.AssetRoutes;
import dev.freshet.http.routes.CatalogRoutes;
import dev.freshet.http.routes.DashboardRoutes;
import dev.freshet.http.routes.FeatureRoutes;
import dev.freshet.http.routes.HealthRoutes;
import dev.freshet.http.routes.IdempotentRequests;
import dev.freshet.http.routes.Ingest;
import dev.freshet.http.routes.IngestRoutes;
import dev.freshet.http.routes.KeyRoutes;
import dev.freshet.http.routes.PrivacyRoutes;
import dev.freshet.http.routes.RankingRoutes;
import dev.freshet.http.routes.ReadinessCheck;
import dev.freshet.http.routes.SimilarRoutes;
import dev.freshet.http.routes.StreamRoutes;
import dev.freshet.http.routes.UserLibraryRoutes;
import dev.freshet.http.routes.Users;
import dev.freshet.streams.PopularityFeed;
import dev.freshet.streams.UserData;
import dev.freshet.streams.UserHistory;
import dev.freshet.streams.readmodel.PipelineMonitor;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The route tree of API.md behind the edge: which resource's routes answer which paths. The
 * resources live in {@code routes/} (one class each), what every request passes first in {@code
 * edge/}, request parsing and answers in {@code api/}.
 */
public final class FreshetRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final Edge edge;
  private final Edge internalEdge;
  private final FeatureRoutes features;
  private final Metrics metrics;
  private final CatalogRoutes catalog;
  private final SimilarRoutes similar;
  private final IngestRoutes ingest;
  private final StreamRoutes stream;
  private final RankingRoutes ranking;
  private final UserLibraryRoutes library;
  private final PrivacyRoutes privacy;
  private final KeyRoutes keys;
  private final AdminRoutes admin;
  private final HealthRoutes health;
  private final DashboardRoutes dashboard;
  private final AdminFeedRoutes feed;
  private final AssetRoutes assets;

  /** Built with the routes, so that a route without documentation stops the node from starting. */
  private final OpenApi openApi = OpenApi.of(Endpoints.ALL);

  /**
   * What the resources answer from: the catalog, popularity and the users' entities, histories and
   * data.
   */
  public record Backends(
      Catalog catalog,
      Popularity popularity,
      PopularityFeed popularityFeed,
      SignalWeights signals,
      RankingSettings rankingSettings,
      RankingLog rankingLog,
      UserHistory history,
      FavoriteShares shares,
      UserData userData,
      VectorLookup vectors) {}

  /**
   * What operators see through the edge: readiness, pool generation, pipelines, metrics, training
   * and the cluster.
   */
  public record Operations(
      ReadinessCheck readiness,
      ActorRef<PoolCoordinator.Command> pool,
      PipelineMonitor pipelines,
      Metrics metrics,
      AdminRoutes.Learning learning,
      ClusterView cluster,
      DashboardStatistics dashboard) {}

  public FreshetRoutes(
      ActorSystem<?> system,
      HttpSettings settings,
      Backends backends,
      Operations operations,
      EdgeServices edgeServices) {
    this.system = system;
    this.metrics = operations.metrics();
    ActivityFeed activity = ActivityFeed.get(system);
    String node = system.address().hostPort();
    Catalog catalog = backends.catalog();
    ObjectMapper mapper = ApiJson.mapper();
    ApiErrors errors = new ApiErrors(mapper);
    ClusterSharding sharding = ClusterSharding.get(system);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    JsonBodies bodies =
        new JsonBodies(
            system,
            mapper,
            settings.maxBodyBytes(),
            settings.maxCatalogBodyBytes(),
            settings.askTimeout());
    Ingest batches =
        new Ingest(
            sharding,
            catalog,
            backends.popularityFeed(),
            backends.signals(),
            settings.askTimeout(),
            settings.timeWindow(),
            edgeServices.limits(),
            metrics.ingest(),
            activity);
    IdempotentRequests idempotent = new IdempotentRequests(edgeServices.idempotency(), mapper);
    this.catalog =
        new CatalogRoutes(catalog, backends.popularity(), settings, bodies, idempotent, mapper);
    this.ingest = new IngestRoutes(batches, idempotent, bodies, mapper);
    this.stream =
        new StreamRoutes(
            system,
            batches,
            edgeServices.idempotency(),
            errors,
            mapper,
            settings.maxBodyBytes(),
            metrics.registry());
    Users users = new Users(sharding, settings.askTimeout());
    this.similar = new SimilarRoutes(catalog, backends.vectors(), users, mapper);
    this.ranking =
        new RankingRoutes(
            users,
            backends.rankingSettings(),
            backends.rankingLog(),
            settings.embeddingDimension(),
            bodies,
            activity,
            mapper);
    this.library =
        new UserLibraryRoutes(
            users, catalog, backends.history(), backends.shares(), blocking, settings, mapper);
    this.privacy = new PrivacyRoutes(users, catalog, backends.userData(), settings, bodies, mapper);
    this.keys = new KeyRoutes(edgeServices.keys(), blocking, mapper, bodies);
    this.admin =
        new AdminRoutes(
            system,
            operations.pool(),
            operations.pipelines(),
            metrics.alerts(),
            settings.askTimeout(),
            backends.vectors(),
            operations.learning(),
            operations.cluster(),
            system.settings().config().getDuration("freshet.http.cluster-stats-timeout"),
            mapper);
    this.health = new HealthRoutes(operations.readiness(), mapper);
    this.dashboard =
        new DashboardRoutes(
            operations.dashboard(),
            metrics.history(),
            FreshnessBands.get(system),
            metrics.alerts(),
            node,
            mapper);
    this.feed =
        new AdminFeedRoutes(
            system, activity, edgeServices.keys(), errors, mapper, node, metrics.registry());
    this.assets = new AssetRoutes(Assets.load());
    this.features = new FeatureRoutes(users, settings.embeddingDimension(), bodies, mapper);
    // one set of request metrics for both listeners: the route label tells them apart
    RequestMetrics requests = new RequestMetrics(metrics.registry());
    this.edge =
        new Edge(
            edgeServices.keys(),
            edgeServices.limits(),
            errors,
            requests,
            edgeServices.settings(),
            system.settings().config(),
            stream::refuse);
    this.internalEdge =
        new Edge(
            Endpoints.INTERNAL_API,
            edgeServices.keys(),
            edgeServices.limits(),
            errors,
            requests,
            edgeServices.settings(),
            system.settings().config(),
            stream::refuse);
  }

  /**
   * The handler of one connection: the routes, fed requests until one is malformed in a way that
   * makes the rest of the connection untrustworthy ({@link HeaderCheck}).
   */
  public Flow<HttpRequest, HttpResponse, NotUsed> connectionFlow() {
    return HeaderCheck.untilMalformed().via(routes().flow(system));
  }

  /**
   * The handler of one connection of the internal API's listener ({@code freshet.http.internal}):
   * as {@link #connectionFlow()}, with {@link #internalRoutes()}.
   */
  public Flow<HttpRequest, HttpResponse, NotUsed> internalConnectionFlow() {
    return HeaderCheck.untilMalformed().via(internalRoutes().flow(system));
  }

  /**
   * The internal API: {@code /internal/v1/…}, the public routes of the same paths (their parsers,
   * answers and errors) and pushed features, behind an edge that admits only {@link
   * Endpoints#INTERNAL} and keys of scope {@code internal}.
   */
  public Route internalRoutes() {
    return internalEdge.wrap(
        () ->
            pathPrefix(
                segment("internal").slash("v1"),
                () ->
                    concat(
                        ingest.routes(),
                        pathPrefix(
                            segment("users").slash(segment()),
                            userId ->
                                concat(
                                    ranking.forUser(userId),
                                    privacy.forUser(userId),
                                    features.forUser(userId))))));
  }

  public Route routes() {
    return edge.wrap(
        () ->
            concat(
                pathPrefix("v1", this::v1),
                assets.sdk(),
                assets.admin(),
                path("metrics", () -> get(() -> complete(metrics.scrape()))),
                pathPrefix("health", health::routes)));
  }

  private Route v1() {
    return concat(
        path(segment("openapi.json"), () -> get(() -> complete(openApi.response()))),
        similar.routes(),
        catalog.routes(),
        ingest.routes(),
        path("stream", () -> get(stream::route)),
        pathPrefix("shared", library::shared),
        pathPrefix(segment("admin").slash("keys"), keys::routes),
        pathPrefix(segment("admin").slash("dashboard"), dashboard::routes),
        path(segment("admin").slash("feed"), () -> get(feed::route)),
        pathPrefix("admin", admin::routes),
        pathPrefix(
            segment("users").slash(segment()),
            userId ->
                concat(ranking.forUser(userId), library.forUser(userId), privacy.forUser(userId))));
  }
}
