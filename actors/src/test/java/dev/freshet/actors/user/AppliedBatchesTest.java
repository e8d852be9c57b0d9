package dev.freshet.actors.user;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AppliedBatchesTest {

  @Test
  void rememberedBatchesGiveBackTheirCountsAndTheOldestGoesFirst() {
    AppliedBatches batches = new AppliedBatches();
    assertThat(batches.find(1L)).isNull();
    batches.remember(0L, 1, 1); // no id: nothing to remember
    assertThat(batches.size()).isZero();

    batches.remember(Long.MIN_VALUE, Integer.MAX_VALUE, 0);
    batches.remember(-1L, 0, Integer.MAX_VALUE);
    assertThat(batches.find(Long.MIN_VALUE))
        .isEqualTo(new AppliedBatches.Answer(Integer.MAX_VALUE, 0));
    assertThat(batches.find(-1L)).isEqualTo(new AppliedBatches.Answer(0, Integer.MAX_VALUE));
    assertThat(batches.find(0L)).isNull();

    batches.remember(-1L, 5, 5); // already known: its first answer stays
    assertThat(batches.find(-1L)).isEqualTo(new AppliedBatches.Answer(0, Integer.MAX_VALUE));
    for (long id = 1; id < AppliedBatches.CAPACITY; id++) batches.remember(id, (int) id, 0);
    assertThat(batches.size()).isEqualTo(AppliedBatches.CAPACITY);
    assertThat(batches.find(Long.MIN_VALUE)).isNull();
    assertThat(batches.find(-1L)).isNotNull();
    assertThat(batches.find(AppliedBatches.CAPACITY - 1)).isNotNull();
  }

  @Test
  void aSnapshotThatDoesNotFitStartsAfresh() {
    assertThat(new AppliedBatches(new long[] {1, 2}, new long[] {1, 2}, 0).size()).isZero();
    assertThat(new AppliedBatches(new long[16], new long[16], 16).find(0)).isNull();
    assertThat(new AppliedBatches(null, new long[16], 0).size()).isZero();
  }
}
