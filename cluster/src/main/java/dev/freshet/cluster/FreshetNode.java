package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogReplicator;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolGenerator;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolMetrics;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.popularity.PopularityTracker;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.actors.user.UserEntitySettings;
import dev.freshet.http.metrics.Alerts;
import dev.freshet.http.edge.EdgeServices;
import dev.freshet.http.FreshetRoutes;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.http.metrics.Metrics;
import dev.freshet.http.routes.ReadinessCheck;
import dev.freshet.http.pool.WebhookGenerator;
import dev.freshet.persistence.JdbcFavoriteShares;
import dev.freshet.streams.UserHistory;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.JdbcCatalogStore;
import dev.freshet.persistence.JdbcRankingEventStore;
import dev.freshet.persistence.JdbcUserData;
import dev.freshet.persistence.PrivacySettings;
import dev.freshet.persistence.JournalConfig;
import dev.freshet.streams.CatalogSeeder;
import dev.freshet.streams.DemoCatalog;
import dev.freshet.streams.DemoPoolGenerator;
import dev.freshet.streams.PopularityFeed;
import dev.freshet.streams.RankingEventWriter;
import dev.freshet.streams.UserData;
import dev.freshet.streams.readmodel.FeatureSnapshots;
import dev.freshet.streams.readmodel.PipelineMonitor;
import dev.freshet.streams.readmodel.ProjectionCounters;
import dev.freshet.streams.readmodel.ProjectionSettings;
import dev.freshet.streams.readmodel.ReadModels;
import dev.freshet.streams.readmodel.RetentionJob;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Freshet node: PostgreSQL (embedded unless an URL is configured), the ActorSystem in a
 * Pekko Cluster, user entities under Cluster Sharding, this node's catalog replica and the HTTP
 * edge. Stopping runs CoordinatedShutdown, which leaves the cluster (handing entities over), unbinds
 * the edge and closes the database last.
 */
public final class FreshetNode {

  private static final Logger log = LoggerFactory.getLogger(FreshetNode.class);

  /** The demo catalog's seed, shared with the demo generator so new items sit near their categories. */
  private static final long DEMO_SEED = 42L;

  private final ActorSystem<Void> system;
  private final Catalog catalog;
  private final Popularity popularity;
  private final ServerBinding binding;
  private final Database database;

  private FreshetNode(
      ActorSystem<Void> system, Catalog catalog, Popularity popularity, ServerBinding binding, Database database) {
    this.system = system;
    this.catalog = catalog;
    this.popularity = popularity;
    this.binding = binding;
    this.database = database;
  }

  /**
   * Starts a node. With {@code seed} empty the node joins itself (single node, or the first of many)
   * unless {@code pekko.cluster.seed-nodes} or Cluster Bootstrap says otherwise.
   */
  public static FreshetNode start(Config config, Optional<Address> seed) {
    FreshetSettings settings = FreshetSettings.fromConfig(config);
    DatabaseSettings dbSettings = DatabaseSettings.fromConfig(config);
    EmbeddedDatabase embedded = null;
    Database database = null;
    try {
      if (!dbSettings.external()) {
        embedded = EmbeddedDatabase.start(settings.dataDir().resolve("postgres"), settings.embeddedDbPort());
        dbSettings = embedded.settings(dbSettings);
      }
      database = Database.open(dbSettings);
    } catch (RuntimeException e) {
      if (database != null) database.close();
      if (embedded != null) embedded.close();
      throw e;
    }
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "freshet", JournalConfig.forDatabase(dbSettings).withFallback(config));
    closeOnShutdown(system, database, embedded);
    try {
      return wire(system, config, settings, database, seed);
    } catch (RuntimeException e) {
      system.terminate();
      awaitTermination(system);
      throw e;
    }
  }

  private static FreshetNode wire(
      ActorSystem<Void> system, Config config, FreshetSettings settings, Database database, Optional<Address> seed) {
    NodeDatabase.get(system).set(database);
    Cluster cluster = Cluster.get(system);
    if (seed.isPresent()) {
      cluster.manager().tell(Join.create(seed.get()));
    } else if (settings.joinSelf() && config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    if (settings.managementEnabled()) {
      PekkoManagement.get(system.classicSystem()).start().toCompletableFuture().join();
    }

    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    Catalog catalog = new Catalog(new JdbcCatalogStore(database.dataSource(), "api"), blocking);
    catalog.refresh();
    ActorRef<CatalogReplicator.Command> replicator =
        system.systemActorOf(
            CatalogReplicator.create(catalog, settings.catalogRefreshInterval()),
            "catalog-replicator",
            Props.empty());
    catalog.onLocalChange(version -> replicator.tell(new CatalogReplicator.Announce(version)));
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "stop-catalog-replicator",
            () -> {
              replicator.tell(CatalogReplicator.Stop.INSTANCE);
              return CompletableFuture.completedFuture(Done.getInstance());
            });

    UserEntitySettings userSettings = UserEntitySettings.fromConfig(config);
    Popularity popularity = new Popularity(config.getDuration("freshet.popularity.half-life").toMillis());
    PoolMetrics poolMetrics = new PoolMetrics();
    // before the entities: they report every journal write's latency to it from their first command
    Metrics metrics = Metrics.of(poolMetrics);
    ActorRef<PoolCoordinator.Command> pool =
        PoolCoordinator.init(system, userSettings.pool(), poolGenerator(system, config), catalog, poolMetrics);
    UserEntity.init(system, catalog::snapshot, popularity::board, pool, userSettings, metrics.journalLatency());

    ActorRef<PopularityTracker.Command> tracker =
        system.systemActorOf(PopularityTracker.create(popularity), "popularity-tracker", Props.empty());
    PopularityFeed feed =
        PopularityFeed.start(
            system,
            tracker,
            config.getDuration("freshet.popularity.window"),
            config.getInt("freshet.popularity.buffer"));

    if (settings.demoCatalog() && catalog.snapshot().size() == 0) {
      int dimension = config.getInt("freshet.catalog.embedding-dimension");
      int seeded =
          CatalogSeeder.seed(
                  system,
                  catalog,
                  DemoCatalog.generate(settings.demoCatalogSize(), dimension, System.currentTimeMillis(), DEMO_SEED),
                  500)
              .toCompletableFuture()
              .join();
      log.info("Demo catalog: {} items in {} categories", seeded, DemoCatalog.CATEGORIES.size());
    }

    JdbcReadJournal readJournal =
        PersistenceQuery.get(system.classicSystem()).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    ProjectionSettings projections = ProjectionSettings.fromConfig(config);
    ProjectionCounters projectionCounters = new ProjectionCounters();
    if (projections.enabled()) {
      ReadModels.start(
          system,
          projections,
          userSettings.tagSlices(),
          readJournal,
          database.dataSource(),
          projectionCounters,
          FeatureSnapshots.Settings.fromConfig(config),
          RetentionJob.Settings.fromConfig(config));
    }
    PipelineMonitor pipelines =
        PipelineMonitor.start(system, database.dataSource(), config.getDuration("freshet.read-models.monitor-interval"));
    PrivacySettings privacy = PrivacySettings.fromConfig(config);
    RankingEventWriter rankingEvents =
        RankingEventWriter.start(
            system,
            new JdbcRankingEventStore(database.dataSource(), privacy.rankingGrace()),
            config.getInt("freshet.ranking-events.batch-size"),
            config.getDuration("freshet.ranking-events.max-delay"),
            config.getInt("freshet.ranking-events.buffer"));

    HttpSettings httpSettings = HttpSettings.fromConfig(config);
    EdgeServices edge = EdgeServices.start(system, config, database.dataSource());
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "stop-api-key-listener",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      edge.keys().close();
                      return Done.getInstance();
                    }));
    FreshetRoutes routes =
        new FreshetRoutes(
            system,
            catalog,
            popularity,
            feed,
            userSettings.features().signals(),
            userSettings.ranking(),
            rankingEvents,
            httpSettings,
            readiness(system, config),
            pool,
            new UserHistory(system, readJournal),
            new JdbcFavoriteShares(database.dataSource()),
            new UserData(system, readJournal, new JdbcUserData(database.dataSource(), privacy.tombstoneTtl())),
            pipelines,
            metrics
                .withPipelines(pipelines, projectionCounters, rankingEvents, feed)
                .withFreshness(FreshnessBands.get(system))
                .withEntities(system, config.getDuration("freshet.metrics.entities-interval"))
                .withAlerts(system, Alerts.Settings.fromConfig(config)),
            edge);
    ServerBinding binding =
        Http.get(system)
            .newServerAt(httpSettings.host(), httpSettings.port())
            .bindFlow(routes.connectionFlow())
            .toCompletableFuture()
            .join()
            .addToCoordinatedShutdown(Duration.ofSeconds(10), system);
    return new FreshetNode(system, catalog, popularity, binding, database);
  }

  /** The generator {@code freshet.pool.generator} names. */
  private static PoolGenerator poolGenerator(ActorSystem<?> system, Config config) {
    int dimension = config.getInt("freshet.catalog.embedding-dimension");
    String name = config.getString("freshet.pool.generator");
    return switch (name) {
      case "demo" -> new DemoPoolGenerator(dimension, DEMO_SEED);
      case "webhook" -> new WebhookGenerator(system, WebhookGenerator.Settings.fromConfig(config), dimension);
      default -> throw new IllegalArgumentException("freshet.pool.generator: unknown generator '" + name + "' (demo, webhook)");
    };
  }

  /** The edge's readiness is Pekko Management's: cluster membership, sharding and the database. */
  private static ReadinessCheck readiness(ActorSystem<?> system, Config config) {
    HealthChecks checks =
        new HealthChecks(
            (ExtendedActorSystem) system.classicSystem(),
            HealthCheckSettings.create(config.getConfig("pekko.management.health-checks")));
    return () -> checks.readyResult().thenApply(result -> result.failure());
  }

  /**
   * The database goes last: after the node has left the cluster and its entities have stopped, so no
   * journal write is cut off.
   */
  private static void closeOnShutdown(ActorSystem<?> system, Database database, EmbeddedDatabase embedded) {
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-database",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      database.close();
                      if (embedded != null) embedded.close();
                      return Done.getInstance();
                    }));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Catalog catalog() {
    return catalog;
  }

  public Popularity popularity() {
    return popularity;
  }

  public Database database() {
    return database;
  }

  public InetSocketAddress httpAddress() {
    return binding.localAddress();
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** Runs CoordinatedShutdown and waits until the node is gone. */
  public void stop() {
    CoordinatedShutdown.get(system.classicSystem())
        .runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture()
        .join();
    awaitTermination(system);
  }

  private static void awaitTermination(ActorSystem<?> system) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("ActorSystem did not terminate", e);
    }
  }
}
