package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.learning.ServingModels;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolMetrics;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.metrics.Metrics;
import dev.freshet.http.routes.AdminRoutes;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.JournalConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Freshet node: PostgreSQL (embedded unless an URL is configured), the ActorSystem in a
 * Pekko Cluster, user entities under Cluster Sharding, this node's catalog replica and the HTTP
 * edge. Stopping runs CoordinatedShutdown, which leaves the cluster (handing entities over),
 * unbinds the edge and closes the database last.
 */
public final class FreshetNode {

  private static final Logger log = LoggerFactory.getLogger(FreshetNode.class);

  private final ActorSystem<Void> system;
  private final Catalog catalog;
  private final PopularitySubsystem popularity;
  private final ServerBinding binding;
  private final ServerBinding internalBinding;
  private final Database database;
  private final ServingModels models;

  private FreshetNode(
      ActorSystem<Void> system,
      Catalog catalog,
      PopularitySubsystem popularity,
      EdgeSubsystem.Bindings bindings,
      Database database,
      ServingModels models) {
    this.models = models;
    this.system = system;
    this.catalog = catalog;
    this.popularity = popularity;
    this.binding = bindings.api();
    this.internalBinding = bindings.internal();
    this.database = database;
  }

  /**
   * Starts a node. With {@code seed} empty the node joins itself (single node, or the first of
   * many) unless {@code pekko.cluster.seed-nodes} or Cluster Bootstrap says otherwise.
   */
  public static FreshetNode start(Config nodeConfig, Optional<Address> seed) {
    ClusterFormation formation = ClusterFormation.fromConfig(nodeConfig);
    Config config = formation.pekkoConfig().withFallback(nodeConfig);
    FreshetSettings settings = FreshetSettings.fromConfig(config);
    if (formation.bootstraps() && !settings.managementEnabled()) {
      throw new IllegalArgumentException(
          "Cluster Bootstrap (FRESHET_SEED_NODES or FRESHET_DISCOVERY) needs Pekko Management:"
              + " FRESHET_MANAGEMENT must not be off");
    }
    DatabaseSettings dbSettings = DatabaseSettings.fromConfig(config);
    EmbeddedDatabase embedded = null;
    Database database = null;
    try {
      if (!dbSettings.external()) {
        embedded =
            EmbeddedDatabase.start(
                settings.dataDir().resolve("postgres"), settings.embeddedDbPort());
        dbSettings = embedded.settings(dbSettings);
      }
      database = Database.open(dbSettings);
    } catch (RuntimeException e) {
      if (database != null) database.close();
      if (embedded != null) embedded.close();
      throw e;
    }
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "freshet",
            JournalConfig.forDatabase(dbSettings).withFallback(config));
    closeOnShutdown(system, database, embedded);
    try {
      return wire(system, config, settings, formation, database, seed);
    } catch (RuntimeException e) {
      system.terminate();
      awaitTermination(system);
      throw e;
    }
  }

  /**
   * The subsystems in the order they need each other, as the platform guide's {@code Main} does.
   */
  private static FreshetNode wire(
      ActorSystem<Void> system,
      Config config,
      FreshetSettings settings,
      ClusterFormation formation,
      Database database,
      Optional<Address> seed) {
    NodeDatabase.get(system).set(database);
    joinCluster(system, settings, formation, seed);
    Catalog catalog = CatalogSubsystem.init(system, database, settings);
    PopularitySubsystem popularity =
        PopularitySubsystem.init(system, PopularitySettings.fromConfig(config));
    PoolMetrics poolMetrics = new PoolMetrics();
    // before the entities: they report every journal write's latency to it from their first command
    Metrics metrics = Metrics.of(poolMetrics);
    VectorLookup vectors =
        VectorSubsystem.init(system, config, catalog, metrics.vectors(), metrics.registry());
    LearningSubsystem learning = LearningSubsystem.serve(system, config, database);
    UserSubsystem users =
        UserSubsystem.init(
            system,
            config,
            catalog,
            popularity.popularity(),
            poolMetrics,
            metrics.journalLatency(),
            settings.embeddingDimension(),
            vectors,
            learning.models());
    CatalogSubsystem.seedDemo(system, catalog, settings);
    ReadModelSubsystem readModels =
        ReadModelSubsystem.init(system, config, database, users.settings().tagSlices());
    Metrics.Settings metricsSettings = Metrics.Settings.fromConfig(config);
    ClusterOverview clusterView = new ClusterOverview(system);
    metrics
        .registerPipelines(
            readModels.pipelines(),
            readModels.counters(),
            readModels.rankingEvents(),
            popularity.feed())
        .registerFreshness(FreshnessBands.get(system))
        .registerModels(learning.models())
        .sampleEntities(system, metricsSettings.entitiesInterval())
        .registerCluster(clusterView)
        .startAlerts(system, metricsSettings.alerts())
        .startHistory(system, metricsSettings.history());
    AdminRoutes.Learning training = learning.train(system, config, database, metrics.training());
    EdgeSubsystem.Bindings bindings =
        EdgeSubsystem.init(
            system,
            config,
            database,
            catalog,
            popularity,
            users,
            readModels,
            metrics,
            vectors,
            training,
            clusterView);
    return new FreshetNode(system, catalog, popularity, bindings, database, learning.models());
  }

  /**
   * With {@code seed} the node joins it (tests); with seed nodes or discovery configured, Cluster
   * Bootstrap finds the cluster ({@link ClusterFormation}); otherwise the node forms a cluster of
   * its own. Pekko Management serves health, members and the bootstrap's probes.
   */
  private static void joinCluster(
      ActorSystem<?> system,
      FreshetSettings settings,
      ClusterFormation formation,
      Optional<Address> seed) {
    Cluster cluster = Cluster.get(system);
    if (seed.isPresent()) {
      cluster.manager().tell(Join.create(seed.get()));
    } else if (!formation.bootstraps() && settings.joinSelf()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    if (settings.managementEnabled()) {
      PekkoManagement.get(system.classicSystem()).start().toCompletableFuture().join();
    }
    if (seed.isEmpty() && formation.bootstraps()) {
      log.info(
          "Forming the cluster through Cluster Bootstrap: {} {}, roles {}",
          formation.mode(),
          formation.seedNodes(),
          formation.roles());
      ClusterBootstrap.get(system.classicSystem()).start();
    }
  }

  /**
   * The database goes last: the pool after the node has left the cluster and its entities have
   * stopped, so that no journal write is cut off; the embedded server once every actor has stopped
   * (registered first, so run last of the termination callbacks), so that no query still streaming
   * from the journal (read models, projections) sees its server go away.
   */
  private static void closeOnShutdown(
      ActorSystem<?> system, Database database, EmbeddedDatabase embedded) {
    if (embedded != null) system.classicSystem().registerOnTermination(embedded::close);
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-database",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      database.close();
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
    return popularity.popularity();
  }

  /**
   * Whether every interaction this node has counted for popularity is on its board (the feed sums
   * them per window and shares them through the cluster first).
   */
  public boolean popularityCaughtUp() {
    return popularity.popularity().signals() >= popularity.feed().recorded();
  }

  /**
   * Ids of the user entities alive on this node now (Cluster Sharding's region state): what tests
   * and the footprint benchmark check residence with.
   */
  public Set<String> residentUsers() {
    try {
      ShardRegion.CurrentShardRegionState state =
          AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                  ClusterSharding.get(system).shardState(),
                  replyTo -> new GetShardRegionState(UserEntity.TYPE_KEY, replyTo),
                  Duration.ofSeconds(10),
                  system.scheduler())
              .toCompletableFuture()
              .get();
      Set<String> ids = new HashSet<>();
      for (ShardRegion.ShardState shard : state.getShards()) ids.addAll(shard.getEntityIds());
      return ids;
    } catch (Exception e) {
      throw new IllegalStateException("Shard region state unavailable", e);
    }
  }

  /** The trained models this node serves. */
  public ServingModels servingModels() {
    return models;
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

  /** The port of the internal API's listener ({@code freshet.http.internal.port}). */
  public int internalHttpPort() {
    return internalBinding.localAddress().getPort();
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
