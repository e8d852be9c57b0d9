package dev.freshet.cluster;

import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogReplicator;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.JdbcCatalogStore;
import dev.freshet.streams.CatalogSeeder;
import dev.freshet.streams.DemoCatalog;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's catalog replica: loaded from PostgreSQL, kept current by the replicator
 * (announcements of other nodes' changes and a periodic catch-up), and seeded with the demo catalog
 * when empty.
 */
final class CatalogSubsystem {

  private static final Logger log = LoggerFactory.getLogger(CatalogSubsystem.class);

  /**
   * The demo catalog's seed, shared with the demo generator so new items sit near their categories.
   */
  static final long DEMO_SEED = 42L;

  private CatalogSubsystem() {}

  static Catalog init(ActorSystem<?> system, Database database, FreshetSettings settings) {
    Catalog catalog =
        new Catalog(
            new JdbcCatalogStore(database.dataSource(), "api"),
            system.dispatchers().lookup(DispatcherSelector.blocking()));
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
    return catalog;
  }

  /** The demo catalog, when it is on and the catalog is empty (a first start). */
  static void seedDemo(ActorSystem<?> system, Catalog catalog, FreshetSettings settings) {
    if (!settings.demoCatalog() || catalog.snapshot().size() > 0) return;
    int seeded =
        CatalogSeeder.seed(
                system,
                catalog,
                DemoCatalog.generate(
                    settings.demoCatalogSize(),
                    settings.embeddingDimension(),
                    System.currentTimeMillis(),
                    DEMO_SEED),
                500)
            .toCompletableFuture()
            .join();
    log.info("Demo catalog: {} items in {} categories", seeded, DemoCatalog.CATEGORIES.size());
  }
}
