package dev.freshet.streams.readmodel;

import dev.freshet.actors.CborSerializable;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Runs one pipeline (a projection, the feature snapshots) as an instance of a Sharded Daemon
 * Process, so that every (read model, tag) runs exactly once in the cluster and moves to another
 * node when its node leaves. On {@link Stop} (hand-over, coordinated shutdown) it drains: the batch
 * in hand is committed before the actor stops.
 */
public final class ReadModelDaemon {

  public sealed interface Command extends CborSerializable {}

  /** The stop message sharding sends on hand-over and shutdown. */
  public enum Stop implements Command {
    INSTANCE
  }

  private enum Finished implements Command {
    INSTANCE
  }

  private ReadModelDaemon() {}

  public static Behavior<Command> create(Pipeline projection) {
    return Behaviors.setup(
        context -> {
          context.pipeToSelf(projection.run(), (done, error) -> Finished.INSTANCE);
          return Behaviors.receive(Command.class)
              .onMessageEquals(
                  Stop.INSTANCE,
                  () -> {
                    projection.drain();
                    return Behaviors.receive(Command.class)
                        .onMessageEquals(Finished.INSTANCE, Behaviors::stopped)
                        .build();
                  })
              // the stream ended on its own (it only does when its restarts ran out): stop, and the
              // daemon process's keep-alive starts the projection again
              .onMessageEquals(Finished.INSTANCE, Behaviors::stopped)
              .onSignal(
                  PostStop.class,
                  signal -> {
                    projection.drain();
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
