package dev.freshet.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Readiness check for Pekko Management (configured in application.conf): the node is ready only
 * while PostgreSQL answers, since no ingest can be durable without it.
 */
public final class DatabaseHealthCheck implements Supplier<CompletionStage<Boolean>> {

  private final org.apache.pekko.actor.typed.ActorSystem<?> system;

  public DatabaseHealthCheck(ActorSystem system) {
    this.system = Adapter.toTyped(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.supplyAsync(
        () -> NodeDatabase.get(system).healthy(),
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }
}
