package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecallTest {

  @Test
  void theSameSetInAnyOrderIsFullRecall() {
    assertEquals(1.0, Recall.atK(new int[] {1, 2, 3, 4}, new int[] {4, 3, 2, 1}, 4));
  }

  @Test
  void recallIsTheShareOfTheTrueTopKFound() {
    assertEquals(0.5, Recall.atK(new int[] {1, 2, 3, 4}, new int[] {1, 9, 3, 8}, 4));
    assertEquals(0.0, Recall.atK(new int[] {1, 2}, new int[] {5, 6}, 2));
  }

  @Test
  void aShorterResultLosesWhatIsMissing() {
    assertEquals(0.25, Recall.atK(new int[] {1, 2, 3, 4}, new int[] {2}, 4));
    assertEquals(0.0, Recall.atK(new int[] {1, 2, 3, 4}, new int[0], 4));
  }

  @Test
  void resultsBeyondKAndDuplicatesDoNotCount() {
    assertEquals(0.5, Recall.atK(new int[] {1, 2}, new int[] {1, 7, 2}, 2));
    assertEquals(0.5, Recall.atK(new int[] {1, 2}, new int[] {1, 1}, 2));
  }

  @Test
  void aTruthShorterThanKIsTheDenominator() {
    // fewer allowed items than k: finding all of them is full recall
    assertEquals(1.0, Recall.atK(new int[] {3, 5}, new int[] {5, 3}, 100));
  }

  @Test
  void meanAveragesOverQueries() {
    int[][] truth = {{1, 2}, {3, 4}};
    int[][] got = {{1, 2}, {3, 9}};
    assertEquals(0.75, Recall.mean(truth, got, 2), 1e-12);
  }
}
