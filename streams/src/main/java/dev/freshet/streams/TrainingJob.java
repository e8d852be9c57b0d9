package dev.freshet.streams;

import com.typesafe.config.Config;
import dev.freshet.actors.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Trains one model at a time for the whole cluster (a singleton): every {@code interval} and on
 * demand. The run itself ({@link TrainingRun}) is blocking and CPU-heavy, so it runs on its own
 * single-thread dispatcher, never on the threads that serve; a request while a run is going is told
 * so rather than queued.
 */
public final class TrainingJob {

  public sealed interface Command extends CborSerializable {}

  /** Train now, unless a run is going. */
  public record Train(ActorRef<Accepted> replyTo) implements Command {}

  public record Accepted(boolean started, String message) implements CborSerializable {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * Whether a run is going, and the last one: when it ended, the version it recorded (0 for none),
   * whether that was promoted, why, how long it took, and its failure if it failed.
   */
  public record Status(
      boolean enabled,
      boolean running,
      String lastEndedAt,
      long lastVersion,
      boolean lastPromoted,
      String lastReason,
      long lastMillis,
      String lastError,
      long runs)
      implements CborSerializable {

    /** The same, with a run going. */
    Status withRunGoing() {
      return new Status(
          enabled,
          true,
          lastEndedAt,
          lastVersion,
          lastPromoted,
          lastReason,
          lastMillis,
          lastError,
          runs);
    }
  }

  private enum Tick implements Command {
    INSTANCE
  }

  private record Finished(TrainingRun.Result result, String error, long millis)
      implements Command {}

  /** {@code freshet.learning}. */
  public record Settings(
      boolean enabled, Duration initialDelay, Duration interval, Duration window) {

    /** Pekko's scheduler takes delays up to about 248 days; the job would not start beyond. */
    static final Duration MAX_DELAY = Duration.ofDays(200);

    public Settings {
      for (Duration d : new Duration[] {initialDelay, interval})
        if (d.isNegative() || d.compareTo(MAX_DELAY) > 0)
          throw new IllegalArgumentException(
              "freshet.learning.initial-delay and interval must be from 0 to 200 days (enabled ="
                  + " off for on-demand runs only), got "
                  + d);
      if (interval.isZero())
        throw new IllegalArgumentException("freshet.learning.interval must be more than 0");
    }

    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.learning");
      return new Settings(
          c.getBoolean("enabled"),
          c.getDuration("initial-delay"),
          c.getDuration("interval"),
          c.getDuration("window"));
    }
  }

  /** Told of every run's end by the job (on its node): what it did, or its failure. */
  public interface Observer {
    void finished(TrainingRun.Result result, long millis);

    void failed(String error, long millis);

    Observer NONE =
        new Observer() {
          @Override
          public void finished(TrainingRun.Result result, long millis) {}

          @Override
          public void failed(String error, long millis) {}
        };
  }

  private TrainingJob() {}

  /** Starts the singleton (or its proxy on nodes that do not host it) and returns the proxy. */
  public static ActorRef<Command> init(
      ActorSystem<?> system, Settings settings, TrainingRun run, Observer observer) {
    Function<Instant, TrainingRun.Result> runs = run::run;
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                Behaviors.supervise(create(settings, runs, observer))
                    .onFailure(SupervisorStrategy.restart()),
                "training-job"));
  }

  /** {@code run} trains once as of the instant it is given (blocking). */
  public static Behavior<Command> create(
      Settings settings, Function<Instant, TrainingRun.Result> run) {
    return create(settings, run, Observer.NONE);
  }

  public static Behavior<Command> create(
      Settings settings, Function<Instant, TrainingRun.Result> run, Observer observer) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  if (settings.enabled())
                    timers.startTimerWithFixedDelay(
                        Tick.INSTANCE, settings.initialDelay(), settings.interval());
                  Executor executor =
                      ctx.getSystem()
                          .dispatchers()
                          .lookup(DispatcherSelector.fromConfig("freshet.learning.dispatcher"));
                  return idle(
                      new Status(settings.enabled(), false, "", 0, false, "", 0, "", 0),
                      new Job(run, observer, executor, ctx.getSelf()));
                }));
  }

  /** What every state of the job works with. */
  private record Job(
      Function<Instant, TrainingRun.Result> run,
      Observer observer,
      Executor executor,
      ActorRef<Command> self) {}

  private static Behavior<Command> idle(Status status, Job job) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Train.class,
            msg -> {
              msg.replyTo().tell(new Accepted(true, "training started"));
              return start(status, job);
            })
        .onMessageEquals(Tick.INSTANCE, () -> start(status, job))
        .onMessage(
            GetStatus.class,
            msg -> {
              msg.replyTo().tell(status);
              return Behaviors.same();
            })
        .build();
  }

  private static Behavior<Command> start(Status status, Job job) {
    long start = System.nanoTime();
    CompletableFuture.supplyAsync(() -> job.run().apply(Instant.now()), job.executor())
        .whenComplete(
            (result, failure) ->
                job.self()
                    .tell(
                        new Finished(
                            result,
                            failure == null ? null : messageOf(failure),
                            (System.nanoTime() - start) / 1_000_000)));
    return running(status.withRunGoing(), job);
  }

  /** A failed run's own message, not that of the future that carried it. */
  private static String messageOf(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return String.valueOf(cause.getMessage());
  }

  private static Behavior<Command> running(Status status, Job job) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Train.class,
            msg -> {
              msg.replyTo().tell(new Accepted(false, "a training run is going already"));
              return Behaviors.same();
            })
        .onMessageEquals(Tick.INSTANCE, Behaviors::same) // the next tick will do
        .onMessage(
            GetStatus.class,
            msg -> {
              msg.replyTo().tell(status);
              return Behaviors.same();
            })
        .onMessage(
            Finished.class,
            msg -> {
              TrainingRun.Result r = msg.result();
              if (r != null) job.observer().finished(r, msg.millis());
              else job.observer().failed(msg.error(), msg.millis());
              Status next =
                  new Status(
                      status.enabled(),
                      false,
                      Instant.now().toString(),
                      r == null ? 0 : r.version().orElse(0L),
                      r != null && r.promoted(),
                      r == null ? "" : r.reason(),
                      msg.millis(),
                      msg.error() == null ? "" : msg.error(),
                      status.runs() + 1);
              return idle(next, job);
            })
        .build();
  }
}
