package dev.freshet.actors.user;

import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.retrieval.VectorLookup;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * A user entity {@code u1} in {@link EventSourcedBehaviorTestKit} over a catalog whose embeddings
 * point along axes: what tests of vectors reaching the entity from outside share.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AxisCatalogEntityTesting {

  static final int DIM = 16;

  /** One actor system per test class: a class's @AfterAll stops its own. */
  final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("freshet.user.snapshot-every = 1000"))
              .withFallback(ConfigFactory.load()));

  /**
   * 30 items of one category each (so diversity keeps them all): items 0–9 point along axis 0,
   * 10–19 along axis 1, 20–29 opposite to axis 1.
   */
  private static final CatalogSnapshot CATALOG = catalog();

  protected final TestProbe<PoolCoordinator.Command> pool = testKit.createTestProbe();
  protected EventSourcedBehaviorTestKit<UserEntity.Command, UserEntity.Event, UserEntity.State> kit;

  private static CatalogSnapshot catalog() {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      float[] embedding = new float[DIM];
      if (i < 10) embedding[0] = 1f;
      else if (i < 20) embedding[1] = 1f;
      else embedding[1] = -1f;
      items.add(
          new Item(
              "item-" + i,
              i,
              "cat-" + i,
              List.of(),
              1_000L,
              ItemStatus.ACTIVE,
              100,
              embedding,
              "{}"));
    }
    return CatalogSnapshot.empty().withChanges(items, 1);
  }

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            UserEntity.create(
                "u1",
                PersistenceId.of("User", "u1"),
                () -> CATALOG,
                PopularityBoard::empty,
                pool.ref(),
                UserEntitySettings.fromConfig(testKit.system().settings().config()),
                nanos -> {},
                VectorLookup.none()));
    kit.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  static float[] axis(int d, float sign) {
    float[] v = new float[DIM];
    v[d] = sign;
    return v;
  }
}
