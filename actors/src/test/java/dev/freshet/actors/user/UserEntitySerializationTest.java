package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.pool.PoolLevels;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and events as the entity wrote them before its state got private fields, its
 * interaction events carried embeddings and repeats, and a batch of impressions became one {@link
 * UserEntity.ImpressionsShown} (the bytes below were written by that code) still load.
 */
class UserEntitySerializationTest {

  /**
   * A state with seen items, a persona, two interactions (one with a vector), pool levels, a
   * favourite and replays.
   */
  private static final String OLD_STATE =
      "v2RzZWVuWBg6MAAAAQAAAAAAAwAQAAAAAQACAAMAKABwbGFzdEltcHJlc3Npb25BdBkTiGhmZWF0dXJlc79qY2F0ZWdvcmllc79nZW50cmllc79lY2F0LTC/ZXZhbHVl+0AAAAAAAAAAYmF0GRtY/2VjYXQtMr9ldmFsdWX7P/AAAAAAAABiYXQZF3D///9kdGFnc79nZW50cmllc79heL9ldmFsdWX7P/AAAAAAAABiYXQZF3D///9tbm90SW50ZXJlc3RlZL9nZW50cmllc7///2Zjb3VudHOJAAEBAAAAAAAAZ2ludGVudHO/ZW90aGVyAf9qZHdlbGxDb3VudABwZHdlbGxUb3RhbE1pbGxpcwBuZHdlbGxNYXhNaWxsaXMAZ3Nlc3Npb26/aXN0YXJ0ZWRBdBkXcGtsYXN0RXZlbnRBdBkbWGZldmVudHMCa3JlY2VudEl0ZW1zggIYKP9mdmVjdG9yv2NzdW2C+j9//+36QAAAAGZ3ZWlnaHT7QAf//2YtIKBiYXQZG1j/Z3BlcnNvbmG/amNhdGVnb3JpZXOBZWNhdC0zZHRhZ3OBYXRmdmVjdG9y9v//ZHBvb2y/ZWFib3ZlAWZhdFJpc2v0/2lmYXZvcml0ZXO/ZWl0ZW1zgb9maXRlbUlkCW1hZGRlZEF0TWlsbGlzGQPo/2RmdWxs9P9ncmVwbGF5c79jaWRzggIDZmNvdW50c4IBAWRsYXN0ghkfQBkfQP9nY29uc2VudPX/";

  /** An InteractionsRecorded of one click on item 2 (cat-2, tag x), without embeddings. */
  private static final String OLD_INTERACTIONS =
      "v2xpbnRlcmFjdGlvbnOBv2ZpdGVtSWQCZHR5cGVlQ0xJQ0tiYXQZF3BmaW50ZW509mV2YWx1ZfZpcmFua2luZ0lk9mhwb3NpdGlvbvZoY2F0ZWdvcnllY2F0LTJkdGFnc4FheP//";

  /**
   * Legacy impression events as the entity wrote them before {@link UserEntity.ImpressionsShown}
   * (the bytes were written by that code): first-time ids 1, 2, 3 at positions 0-2 on "home" in
   * ranking "r-1" at 5,000; first-time id 4 at 6,000 without context; repeats of 2, 3, 3 at 7,000.
   */
  private static final String OLD_IMPRESSIONS =
      "v2dpdGVtSWRzgwECA2hhdE1pbGxpcxkTiGlwb3NpdGlvbnODAAECZ3N1cmZhY2VkaG9tZWlyYW5raW5nSWRjci0x/w==";

  private static final String OLD_IMPRESSIONS_NO_CONTEXT =
      "v2dpdGVtSWRzgQRoYXRNaWxsaXMZF3BpcG9zaXRpb25z9mdzdXJmYWNl9mlyYW5raW5nSWT2/w==";

  private static final String OLD_REPEATS = "v2dpdGVtSWRzgwIDA2hhdE1pbGxpcxkbWP8=";

  private static final int JACKSON_CBOR = 33;
  private static final ActorTestKit testKit = ActorTestKit.create();
  private final Serialization serialization = SerializationExtension.get(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private <T> T read(String base64, Class<T> type) {
    return type.cast(
        serialization
            .deserialize(Base64.getDecoder().decode(base64), JACKSON_CBOR, type.getName())
            .get());
  }

  private static Set<String> names(byte[] cbor) throws Exception {
    Set<String> names = new HashSet<>();
    new ObjectMapper(new CBORFactory()).readTree(cbor).fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void anOldSnapshotLoadsWithEverythingItHeld() {
    UserEntity.State state = read(OLD_STATE, UserEntity.State.class);

    assertThat(state.seen().toArray()).containsExactly(1, 2, 3, 40);
    assertThat(state.lastImpressionAt()).isEqualTo(5_000L);
    assertThat(state.features().persona().categories()).containsExactly("cat-3");
    assertThat(state.features().categoryAffinity("cat-2", 6_000, 86_400_000L)).isEqualTo(1.0);
    assertThat(state.features().vector()).isNotNull();
    assertThat(state.pool()).isEqualTo(new PoolLevels(1, false));
    assertThat(state.favorites().contains(9)).isTrue();
    assertThat(state.replays().total()).isEqualTo(2);
    assertThat(state.consent()).isTrue();
    assertThat(state.batches().size()).isZero();
    assertThat(state.unshown().size()).isZero();
  }

  @Test
  void aSnapshotIsWrittenUnderTheNamesItAlwaysHad() throws Exception {
    UserEntity.State state = read(OLD_STATE, UserEntity.State.class);
    byte[] written = serialization.serialize(state).get();

    Set<String> expected = new HashSet<>(names(Base64.getDecoder().decode(OLD_STATE)));
    expected.add("batches"); // the parts added since
    expected.add("unshown");
    assertThat(names(written)).isEqualTo(expected);
    assertThat(read(Base64.getEncoder().encodeToString(written), UserEntity.State.class).seen())
        .isEqualTo(state.seen());
  }

  @Test
  void anOldInteractionsEventLoadsWithoutEmbeddingsAndReplaysWithoutMovingTheVector() {
    UserEntity.InteractionsRecorded event =
        read(OLD_INTERACTIONS, UserEntity.InteractionsRecorded.class);

    assertThat(event.interactions()).extracting(Interaction::category).containsExactly("cat-2");
    assertThat(event.embeddingOf(2)).isNull();
    var features = UserEntitySettings.fromConfig(testKit.system().settings().config()).features();
    UserEntity.State state = new UserEntity.State().applyInteractions(event, features);
    assertThat(state.seen().contains(2)).isTrue();
    assertThat(state.features().categoryAffinity("cat-2", 6_000, 86_400_000L)).isEqualTo(1.0);
    assertThat(state.features().vector()).isNull();
  }

  @Test
  void anInteractionsEventKeepsItsEmbeddings() {
    var click =
        new Interaction(
            2, InteractionType.CLICK, 6_000, null, null, null, null, "cat-2", List.of());
    var event =
        new UserEntity.InteractionsRecorded(List.of(click), Map.of(2, new float[] {0.5f, 1f}));
    byte[] written = serialization.serialize(event).get();

    var back =
        read(Base64.getEncoder().encodeToString(written), UserEntity.InteractionsRecorded.class);
    assertThat(back.embeddingOf(2)).containsExactly(0.5f, 1f);
  }

  @Test
  void oldImpressionEventsLoadAndReplayAsTheyDid() {
    var recorded = read(OLD_IMPRESSIONS, UserEntity.ImpressionsRecorded.class);
    assertThat(recorded.itemIds()).containsExactly(1, 2, 3);
    assertThat(recorded.positions()).containsExactly(0, 1, 2);
    assertThat(recorded.surface()).isEqualTo("home");
    assertThat(recorded.rankingId()).isEqualTo("r-1");
    assertThat(recorded.atMillis()).isEqualTo(5_000L);
    var bare = read(OLD_IMPRESSIONS_NO_CONTEXT, UserEntity.ImpressionsRecorded.class);
    assertThat(bare.itemIds()).containsExactly(4);
    assertThat(bare.positions()).isNull();
    assertThat(bare.surface()).isNull();
    var repeated = read(OLD_REPEATS, UserEntity.ImpressionsRepeated.class);
    assertThat(repeated.itemIds()).containsExactly(2, 3, 3);
    assertThat(repeated.atMillis()).isEqualTo(7_000L);

    var features = UserEntitySettings.fromConfig(testKit.system().settings().config()).features();
    UserEntity.State state =
        new UserEntity.State()
            .recordImpressions(recorded, features)
            .recordImpressions(bare, features);
    assertThat(state.seen().toArray()).containsExactly(1, 2, 3, 4);
    assertThat(state.lastImpressionAt()).isEqualTo(6_000L);
    assertThat(state.features().count(InteractionType.IMPRESSION)).isEqualTo(4);
  }

  @Test
  void anOldInteractionsEventHasNoRepeats() {
    var event = read(OLD_INTERACTIONS, UserEntity.InteractionsRecorded.class);
    assertThat(event.repeated()).isEmpty();
    assertThat(event.repeatedAt()).isZero();
    assertThat(event.batch()).isZero();
  }

  @Test
  void theBatchesAStateRemembersSurviveItsSnapshot() {
    var features = UserEntitySettings.fromConfig(testKit.system().settings().config()).features();
    UserEntity.State state =
        new UserEntity.State()
            .showImpressions(
                new UserEntity.ImpressionsShown(
                    new int[] {1}, new int[] {1, 1}, 1_000L, null, null, null, -5L),
                features);
    byte[] written = serialization.serialize(state).get();

    var back = read(Base64.getEncoder().encodeToString(written), UserEntity.State.class);
    assertThat(back.batches().find(-5L)).isEqualTo(new AppliedBatches.Answer(1, 2));
    assertThat(back.batches().find(6L)).isNull();
  }

  @Test
  void itemsEngagedWithBeforeTheirImpressionSurviveTheSnapshot() throws Exception {
    var features = UserEntitySettings.fromConfig(testKit.system().settings().config()).features();
    UserEntity.State state =
        new UserEntity.State()
            .applyInteractions(
                new UserEntity.InteractionsRecorded(
                    List.of(
                        new Interaction(9, InteractionType.CLICK, 1_000L, null, null, null, null),
                        new Interaction(4, InteractionType.LIKE, 1_000L, null, null, null, null)),
                    Map.of()),
                features);
    byte[] written = serialization.serialize(state).get();

    var back = read(Base64.getEncoder().encodeToString(written), UserEntity.State.class);
    assertThat(back.unshown()).isEqualTo(state.unshown());
    assertThat(back.unshown().contains(4)).isTrue();
    assertThat(back.unshown().contains(9)).isTrue();
    assertThat(names(written)).contains("unshown");
  }

  @Test
  void anImpressionsShownEventKeepsBothHalvesAndItsContext() throws Exception {
    var event =
        new UserEntity.ImpressionsShown(
            new int[] {5, 6}, new int[] {2, 5}, 2_000L, new int[] {1, 2}, "home", "r-1", 77L);
    byte[] written = serialization.serialize(event).get();

    var back = read(Base64.getEncoder().encodeToString(written), UserEntity.ImpressionsShown.class);
    assertThat(back.firstTime()).containsExactly(5, 6);
    assertThat(back.repeated()).containsExactly(2, 5);
    assertThat(back.positions()).containsExactly(1, 2);
    assertThat(back.surface()).isEqualTo("home");
    assertThat(back.rankingId()).isEqualTo("r-1");
    assertThat(back.atMillis()).isEqualTo(2_000L);
    assertThat(back.batch()).isEqualTo(77L);
    assertThat(names(written))
        .containsExactlyInAnyOrder(
            "firstTime", "repeated", "atMillis", "positions", "surface", "rankingId", "batch");
  }

  @Test
  void anInteractionsEventKeepsItsRepeats() {
    var click =
        new Interaction(
            2, InteractionType.CLICK, 6_000, null, null, null, null, "cat-2", List.of());
    var event =
        new UserEntity.InteractionsRecorded(List.of(click), Map.of(), new int[] {1, 1}, 5_500L);
    byte[] written = serialization.serialize(event).get();

    var back =
        read(Base64.getEncoder().encodeToString(written), UserEntity.InteractionsRecorded.class);
    assertThat(back.repeated()).containsExactly(1, 1);
    assertThat(back.repeatedAt()).isEqualTo(5_500L);
    assertThat(back.interactions()).hasSize(1);
  }
}
