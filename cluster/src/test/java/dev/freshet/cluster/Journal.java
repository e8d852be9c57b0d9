package dev.freshet.cluster;

import dev.freshet.actors.user.UserEntity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** Reads a user's events back from the PostgreSQL journal, as a projection would. */
final class Journal {
  private Journal() {}

  /** The user's impression batches, one event each. */
  static List<UserEntity.ImpressionsShown> impressions(ActorSystem<?> system, String userId) {
    List<UserEntity.ImpressionsShown> impressions = new ArrayList<>();
    for (UserEntity.Event event : events(system, userId)) {
      if (event instanceof UserEntity.ImpressionsShown shown) impressions.add(shown);
    }
    return impressions;
  }

  static List<UserEntity.Event> events(ActorSystem<?> system, String userId) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system.classicSystem())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    try {
      List<Object> events =
          journal
              .currentEventsByPersistenceId("User|" + userId, 0L, Long.MAX_VALUE)
              .map(envelope -> envelope.event())
              .runWith(Sink.seq(), system)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      List<UserEntity.Event> typed = new ArrayList<>();
      for (Object event : events) typed.add((UserEntity.Event) event);
      return typed;
    } catch (Exception e) {
      throw new IllegalStateException("Could not read the journal of " + userId, e);
    }
  }
}
