package dev.freshet.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Readiness check for Pekko Management (configured in application.conf): the node is ready only
 * once its HTTP listeners are bound. Management starts with the cluster join, before the edge, so
 * without it {@code /ready} could send traffic to a port that is not listening yet.
 */
public final class EdgeHealthCheck implements Supplier<CompletionStage<Boolean>> {

  /** Whether this ActorSystem's edge is listening; one per system, as nodes share test JVMs. */
  public static final class Listening implements Extension {
    private final AtomicBoolean bound = new AtomicBoolean();

    public static final ExtensionId<Listening> ID =
        new ExtensionId<>() {
          @Override
          public Listening createExtension(org.apache.pekko.actor.typed.ActorSystem<?> system) {
            return new Listening();
          }
        };

    public static Listening get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
      return system.registerExtension(ID);
    }

    void bound() {
      bound.set(true);
    }

    public boolean isBound() {
      return bound.get();
    }
  }

  private final org.apache.pekko.actor.typed.ActorSystem<?> system;

  public EdgeHealthCheck(ActorSystem system) {
    this.system = Adapter.toTyped(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(Listening.get(system).isBound());
  }
}
