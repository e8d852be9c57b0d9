package dev.freshet.actors.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.freshet.actors.pool.PoolCoordinator.Demand;
import dev.freshet.actors.pool.PoolCoordinator.Recorded;
import dev.freshet.actors.pool.PoolCoordinator.RequestCompleted;
import dev.freshet.actors.pool.PoolCoordinator.RequestFailed;
import dev.freshet.actors.pool.PoolCoordinator.RequestsStarted;
import dev.freshet.actors.pool.PoolCoordinator.RiskChange;
import dev.freshet.actors.pool.PoolCoordinator.Started;
import dev.freshet.actors.pool.PoolCoordinator.State;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's events and snapshots through the project's Jackson CBOR binding, and their
 * evolution: an event or snapshot with fields this version does not know, or without fields it
 * added, still loads.
 */
class PoolCoordinatorSerializationTest {

  private static final int JACKSON_CBOR = 33;
  private static final ActorTestKit testKit = ActorTestKit.create();
  private final Serialization serialization = SerializationExtension.get(testKit.system());
  private final ObjectMapper cbor = new ObjectMapper(new CBORFactory());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private Object roundTrip(Object o) {
    var serializer = serialization.findSerializerFor(o);
    assertThat(serializer.identifier()).isEqualTo(JACKSON_CBOR);
    byte[] bytes = serialization.serialize(o).get();
    return serialization
        .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o))
        .get();
  }

  private <T> T read(Map<String, Object> fields, Class<T> type) throws Exception {
    return type.cast(
        serialization
            .deserialize(cbor.writeValueAsBytes(fields), JACKSON_CBOR, type.getName())
            .get());
  }

  private static GenerationRequest request(String id) {
    return new GenerationRequest(id, "news", 10, false, 2, "2 users crossed 85 %", 1, 5L);
  }

  private static Demand demand() {
    return new Demand("news", List.of("a", "b"), 10, false, List.of(0.85), 1, 0L);
  }

  @Test
  void everyEventRoundTrips() {
    List<PoolCoordinator.Event> events =
        List.of(
            new Recorded(
                List.of(demand(), new Demand(null, List.of("c"), 50, true, List.of(0.95), 1, 0L)),
                List.of(new RiskChange("a", true, 3, 20, 7L), RiskChange.left("b", 8L)),
                3,
                9L),
            new RequestsStarted(List.of(new Started(request("r1"), demand())), 10L),
            new RequestCompleted("r1", List.of("x", "y"), 11L),
            new RequestFailed("r1", "503", 99L, 12L));
    for (PoolCoordinator.Event e : events) assertThat(roundTrip(e)).isEqualTo(e);
  }

  @Test
  void aSnapshotRoundTripsWithItsOrder() {
    State s =
        State.EMPTY
            .apply(
                new Recorded(
                    List.of(demand()),
                    List.of(
                        new RiskChange("z", true, 1, 20, 1L), new RiskChange("a", true, 2, 20, 2L)),
                    2,
                    3L),
                50)
            .apply(new RequestsStarted(List.of(new Started(request("r1"), demand())), 4L), 50)
            .apply(new RequestFailed("r1", "down", 100L, 5L), 50);

    State back = (State) roundTrip(s);

    assertThat(back.atRisk()).isEqualTo(s.atRisk());
    assertThat(back.atRisk()).extracting(PoolCoordinator.AtRisk::userId).containsExactly("z", "a");
    assertThat(back.waiting()).isEqualTo(s.waiting());
    assertThat(back.inFlight()).isEqualTo(s.inFlight());
    assertThat(back.failed()).isEqualTo(s.failed());
    assertThat(back.totals()).isEqualTo(s.totals());
  }

  @Test
  void eventsWithUnknownFieldsOrWithoutLaterOnesLoad() throws Exception {
    Map<String, Object> completed = new LinkedHashMap<>();
    completed.put("requestId", "r1");
    completed.put("atMillis", 5L);
    completed.put("addedInSomeLaterVersion", Map.of("x", 1));
    RequestCompleted c = read(completed, RequestCompleted.class);
    assertThat(c.requestId()).isEqualTo("r1");
    assertThat(c.itemIds()).isEmpty();

    Map<String, Object> demand = new LinkedHashMap<>();
    demand.put("category", "news");
    demand.put("wanted", 10);
    Recorded r = read(Map.of("demand", List.of(demand), "atMillis", 1L), Recorded.class);
    assertThat(r.risk()).isEmpty();
    assertThat(r.signals()).isZero();
    assertThat(r.demand().get(0).users()).isEmpty();
    assertThat(r.demand().get(0).thresholds()).isEmpty();
    assertThat(r.demand().get(0).attempt()).isEqualTo(1);
    // and it applies
    assertThat(State.EMPTY.apply(r, 50).waitingFor("news")).isPresent();

    RequestsStarted started = read(Map.of("atMillis", 1L), RequestsStarted.class);
    assertThat(started.requests()).isEmpty();
  }

  @Test
  void aSnapshotWithoutPartsLaterVersionsAddedLoadsWithThemEmpty() throws Exception {
    // a version with a column fewer (no times), and a part this one does not know
    Map<String, Object> atRisk =
        Map.of(
            "users", List.of("a", "b"), "unseen", List.of(2, 3), "denseIdBounds", List.of(20, 20));
    State s = read(Map.of("atRiskColumns", atRisk, "unknownPart", 1), State.class);

    assertThat(s.atRisk())
        .containsExactly(
            new PoolCoordinator.AtRisk("a", 2, 20, 0L), new PoolCoordinator.AtRisk("b", 3, 20, 0L));
    assertThat(s.waiting()).isEmpty();
    assertThat(s.inFlight()).isEmpty();
    assertThat(s.completed()).isEmpty();
    assertThat(s.totals()).isEqualTo(State.EMPTY.totals());
  }

  /**
   * The snapshot the SPEC's worst case makes: 100,000 users at risk (ids like those of the load
   * generator). Prints its size and the time to write and read it; recovery reads one of these.
   */
  @Test
  void aSnapshotOfAHundredThousandUsersAtRisk() {
    List<RiskChange> reports = new ArrayList<>();
    for (int i = 0; i < PoolCoordinator.MAX_AT_RISK; i++) {
      reports.add(new RiskChange("u-" + i, true, i % 5, 5_000 + i % 100, 1_765_000_000_000L + i));
    }
    State s = State.EMPTY.apply(new Recorded(List.of(demand()), reports, 1, 1L), 50);

    byte[] bytes = null;
    State back = null;
    long write = Long.MAX_VALUE, readNanos = Long.MAX_VALUE;
    for (int run = 0; run < 3; run++) {
      long t0 = System.nanoTime();
      bytes = serialization.serialize(s).get();
      long t1 = System.nanoTime();
      back = (State) serialization.deserialize(bytes, JACKSON_CBOR, State.class.getName()).get();
      long t2 = System.nanoTime();
      write = Math.min(write, t1 - t0);
      readNanos = Math.min(readNanos, t2 - t1);
    }
    System.out.printf(
        "pool coordinator snapshot, %,d users at risk: %,d bytes (%.1f per user), written in %d ms,"
            + " read in %d ms (best of 3)%n",
        s.usersAtRisk(),
        bytes.length,
        bytes.length / (double) s.usersAtRisk(),
        write / 1_000_000,
        readNanos / 1_000_000);
    assertThat(back.usersAtRisk()).isEqualTo(PoolCoordinator.MAX_AT_RISK);
    assertThat(back.atRisk().get(99_999)).isEqualTo(s.atRisk().get(99_999));
  }
}
