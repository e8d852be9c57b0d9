package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.TestCatalogs;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.retrieval.VectorLookup;
import dev.freshet.actors.user.UserEntity.ImpressionsResult;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An event the journal rejects is answered with an error at once, and the entity keeps serving. */
class RejectedPersistsTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          PersistenceTestKitPlugin.getInstance().config().withFallback(ConfigFactory.load()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<UserEntity.Command> user(String id) {
    TestProbe<PoolCoordinator.Command> pool = testKit.createTestProbe();
    return testKit.spawn(
        UserEntity.create(
            id,
            PersistenceId.of("User", id),
            () -> TestCatalogs.ofSize(100, 4),
            PopularityBoard::empty,
            pool.ref(),
            UserEntitySettings.fromConfig(testKit.system().settings().config()),
            nanos -> {},
            VectorLookup.none()));
  }

  private StatusReply<ImpressionsResult> record(ActorRef<UserEntity.Command> user, int... ids) {
    TestProbe<StatusReply<ImpressionsResult>> reply = testKit.createTestProbe();
    user.tell(new UserEntity.RecordImpressions(ids, 1_000L, reply.ref()));
    // far below the edge's ask timeout (5 s): the caller is told, not left to time out
    return reply.receiveMessage(Duration.ofSeconds(2));
  }

  @Test
  void aRejectedEventIsAnsweredWithAnErrorAndTheEntityLivesOn() {
    ActorRef<UserEntity.Command> user = user("rejected-1");
    assertThat(record(user, 1).getValue()).isEqualTo(new ImpressionsResult(1, 0, true));

    journal.rejectNextPersisted();
    StatusReply<ImpressionsResult> refused = record(user, 2, 3);
    assertThat(refused.isError()).isTrue();
    assertThat(refused.getError().getMessage()).contains("journal refused");

    // alive, with the rejected batch not recorded: 2 and 3 are new, 1 is still seen
    assertThat(record(user, 1, 2, 3).getValue()).isEqualTo(new ImpressionsResult(2, 1, true));
    journal.expectNextPersistedClass("User|rejected-1", UserEntity.ImpressionsShown.class);
  }
}
