package dev.freshet.actors.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ItemWeightsTest {

  @Test
  void weightsOfAnItemAddUpAndTheOldestItemLeavesFirstBeyondCapacity() {
    ItemWeights w = new ItemWeights();
    w.add(1, 2.0, 3);
    w.add(2, 1.0, 3);
    w.add(1, -0.5, 3); // item 1 again: summed, and now the most recent
    assertThat(w.items()).containsExactly(2, 1);
    assertThat(w.weights()).containsExactly(1.0f, 1.5f);
    w.add(3, 1.0, 3);
    w.add(4, 1.0, 3); // over capacity: item 2, acted on longest ago, leaves
    assertThat(w.items()).containsExactly(1, 3, 4);
    assertThat(w.size()).isEqualTo(3);
  }

  @Test
  void aZeroWeightChangesNothingAndEveryOtherChangeIsCounted() {
    ItemWeights w = new ItemWeights();
    w.add(7, 0.0, 10); // an impression, a bad_timing skip
    assertThat(w.size()).isZero();
    assertThat(w.changes()).isZero();
    for (int i = 0; i < 20; i++) w.add(i, 1.0, 10);
    assertThat(w.changes()).isEqualTo(20);
    assertThat(w.items()).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
  }

  @Test
  void aSnapshotRoundTripKeepsItemsWeightsAndOrder() throws Exception {
    ItemWeights w = new ItemWeights();
    w.add(5, 2.0, 200);
    w.add(9, -1.5, 200);
    ObjectMapper json = new ObjectMapper();
    ItemWeights back = json.readValue(json.writeValueAsString(w), ItemWeights.class);
    assertThat(back.items()).containsExactly(5, 9);
    assertThat(back.weights()).containsExactly(2.0f, -1.5f);
    // a snapshot from before collaborative filtering has none
    assertThat(json.readValue("{}", ItemWeights.class).size()).isZero();
  }
}
