package dev.freshet.cluster;

import com.typesafe.config.Config;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.learning.ServingModels;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolGenerator;
import dev.freshet.actors.pool.PoolMetrics;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.JournalLatency;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.actors.user.UserEntitySettings;
import dev.freshet.http.pool.WebhookGenerator;
import dev.freshet.streams.DemoPoolGenerator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The user entities under Cluster Sharding, and the pool coordinator (a Cluster Singleton) their
 * pool-low signals go to, with the generator {@code freshet.pool.generator} names.
 */
record UserSubsystem(UserEntitySettings settings, ActorRef<PoolCoordinator.Command> pool) {

  static UserSubsystem init(
      ActorSystem<?> system,
      Config config,
      Catalog catalog,
      Popularity popularity,
      PoolMetrics poolMetrics,
      JournalLatency journalLatency,
      int embeddingDimension,
      VectorLookup vectors,
      ServingModels models) {
    UserEntitySettings settings = UserEntitySettings.fromConfig(config);
    ActorRef<PoolCoordinator.Command> pool =
        PoolCoordinator.init(
            system,
            settings.pool(),
            generator(system, config, embeddingDimension),
            catalog,
            poolMetrics);
    UserEntity.init(
        system,
        catalog::snapshot,
        popularity::board,
        pool,
        settings,
        journalLatency,
        vectors,
        models);
    return new UserSubsystem(settings, pool);
  }

  private static PoolGenerator generator(ActorSystem<?> system, Config config, int dimension) {
    String name = config.getString("freshet.pool.generator");
    return switch (name) {
      case "demo" -> new DemoPoolGenerator(dimension, CatalogSubsystem.DEMO_SEED);
      case "webhook" ->
          new WebhookGenerator(system, WebhookGenerator.Settings.fromConfig(config), dimension);
      default ->
          throw new IllegalArgumentException(
              "freshet.pool.generator: unknown generator '" + name + "' (demo, webhook)");
    };
  }
}
