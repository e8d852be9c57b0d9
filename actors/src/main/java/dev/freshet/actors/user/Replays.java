package dev.freshet.actors.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * How often each item was served again in replay mode, and when last: three parallel arrays sorted
 * by dense id (only replayed items have an entry), which keeps a user's state small. Mutated only
 * by the entity's event handler.
 */
public final class Replays {

  private int[] ids;
  private int[] counts;
  private long[] last;

  public Replays() {
    this(new int[0], new int[0], new long[0]);
  }

  @JsonCreator
  public Replays(
      @JsonProperty("ids") int[] ids,
      @JsonProperty("counts") int[] counts,
      @JsonProperty("last") long[] last) {
    this.ids = ids == null ? new int[0] : ids;
    this.counts = counts == null ? new int[0] : counts;
    this.last = last == null ? new long[0] : last;
  }

  void record(int[] itemIds, long at) {
    for (int id : itemIds) {
      int i = Arrays.binarySearch(ids, id);
      if (i < 0) {
        i = -i - 1;
        ids = insert(ids, i, id);
        counts = insert(counts, i, 0);
        long[] l = new long[last.length + 1];
        System.arraycopy(last, 0, l, 0, i);
        System.arraycopy(last, i, l, i + 1, last.length - i);
        last = l;
      }
      counts[i]++;
      last[i] = Math.max(last[i], at);
    }
  }

  /** How often the item was replayed (0 if never). */
  public int count(int itemId) {
    int i = Arrays.binarySearch(ids, itemId);
    return i < 0 ? 0 : counts[i];
  }

  /** When the item was last replayed, or 0 if never. */
  public long lastReplayedAt(int itemId) {
    int i = Arrays.binarySearch(ids, itemId);
    return i < 0 ? 0 : last[i];
  }

  /** Replays of all items together. */
  public long total() {
    long sum = 0;
    for (int c : counts) sum += c;
    return sum;
  }

  @JsonProperty("ids")
  int[] ids() {
    return ids;
  }

  @JsonProperty("counts")
  int[] counts() {
    return counts;
  }

  @JsonProperty("last")
  long[] last() {
    return last;
  }

  private static int[] insert(int[] values, int at, int value) {
    int[] out = new int[values.length + 1];
    System.arraycopy(values, 0, out, 0, at);
    out[at] = value;
    System.arraycopy(values, at, out, at + 1, values.length - at);
    return out;
  }
}
