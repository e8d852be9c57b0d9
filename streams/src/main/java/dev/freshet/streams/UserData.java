package dev.freshet.streams;

import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.JdbcUserData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What PostgreSQL holds of one user, for access requests and erasure: the user's journal events and
 * the rows of {@link JdbcUserData}, every database call on the blocking dispatcher.
 */
public final class UserData {

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final JdbcUserData store;
  private final Executor blocking;

  public UserData(
      ActorSystem<?> system, CurrentEventsByPersistenceIdQuery journal, JdbcUserData store) {
    this.system = system;
    this.journal = journal;
    this.store = store;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** Every event of the user's journal, in order. */
  public CompletionStage<List<EventEnvelope>> journal(String userId) {
    String persistenceId = PersistenceId.of(UserEntity.TYPE_KEY.name(), userId).id();
    return journal
        .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .runWith(Sink.seq(), system);
  }

  /** The user's rows by section, each a JSON array (see {@link JdbcUserData#export}). */
  public CompletionStage<Map<String, String>> rows(String userId) {
    return CompletableFuture.supplyAsync(() -> store.export(userId), blocking);
  }

  /** Erases the user up to the entity's "forgotten" event (see {@link JdbcUserData#erase}). */
  public CompletionStage<Map<String, Integer>> erase(String userId, long upToSequenceNr) {
    return CompletableFuture.supplyAsync(() -> store.erase(userId, upToSequenceNr), blocking);
  }
}
