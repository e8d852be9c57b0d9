package dev.freshet.actors.user;

import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.EventRejectedException;

/**
 * A user entity whose events the journal rejects (say, text its serializer has no form for) answers
 * the command at once with an error, instead of leaving its caller to time out, and lives on: the
 * rejection restarts it, and it recovers from what its journal does hold. (Left alone, a rejection
 * stops the entity and the caller hears nothing.)
 *
 * <p>The command to answer is the one the entity handled last: while an entity persists it stashes
 * every other command, so a rejection always belongs to the last command handled. Commands stashed
 * behind it are lost with the restart; their callers' asks time out as for any lost entity.
 */
final class RejectedPersists {

  private RejectedPersists() {}

  /** The command an entity handled last, shared between the entity and its interceptor. */
  static final class LastCommand {
    private UserEntity.Command command;

    void handling(UserEntity.Command command) {
      this.command = command;
    }

    private void refuse(EventRejectedException rejection) {
      UserEntity.Command refused = command;
      command = null;
      if (refused == null) return;
      Throwable why = rejection.getCause();
      String cause = why == null || why.getMessage() == null ? "" : ": " + why.getMessage();
      @SuppressWarnings("unchecked")
      ActorRef<StatusReply<?>> replyTo = (ActorRef<StatusReply<?>>) (ActorRef<?>) refused.replyTo();
      replyTo.tell(StatusReply.error("the journal refused to store this request's events" + cause));
    }
  }

  /** {@code entity}, restarted after a rejection and answering the rejected command first. */
  static Behavior<UserEntity.Command> supervised(
      Function<LastCommand, Behavior<UserEntity.Command>> entity) {
    Behavior<UserEntity.Command> answering =
        Behaviors.setup(
            ctx -> {
              LastCommand last = new LastCommand();
              @SuppressWarnings("unchecked")
              Behavior<Object> inner = (Behavior<Object>) (Behavior<?>) entity.apply(last);
              @SuppressWarnings("unchecked")
              Behavior<UserEntity.Command> intercepted =
                  (Behavior<UserEntity.Command>)
                      (Behavior<?>) Behaviors.intercept(() -> new Answering(last), inner);
              return intercepted;
            });
    return Behaviors.supervise(answering)
        .onFailure(EventRejectedException.class, SupervisorStrategy.restart());
  }

  /**
   * Sees every message, the journal's answers included (an event-sourced behavior receives those
   * besides its commands), so that it is on the stack when a rejection is thrown.
   */
  private static final class Answering extends BehaviorInterceptor<Object, Object> {
    private final LastCommand last;

    Answering(LastCommand last) {
      super(Object.class);
      this.last = last;
    }

    @Override
    public Behavior<Object> aroundReceive(
        TypedActorContext<Object> ctx, Object msg, ReceiveTarget<Object> target) {
      try {
        return target.apply(ctx, msg);
      } catch (EventRejectedException rejection) {
        last.refuse(rejection);
        throw rejection;
      }
    }
  }
}
