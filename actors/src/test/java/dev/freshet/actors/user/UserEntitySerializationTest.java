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
 * Snapshots and events as the entity wrote them before its state got private fields and its
 * interaction events carried embeddings (the bytes below were written by that code) still load.
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
  }

  @Test
  void aSnapshotIsWrittenUnderTheNamesItAlwaysHad() throws Exception {
    UserEntity.State state = read(OLD_STATE, UserEntity.State.class);
    byte[] written = serialization.serialize(state).get();

    assertThat(names(written)).isEqualTo(names(Base64.getDecoder().decode(OLD_STATE)));
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
}
