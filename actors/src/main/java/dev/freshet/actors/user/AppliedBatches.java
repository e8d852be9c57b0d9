package dev.freshet.actors.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * The user's last {@link #CAPACITY} batches that came with a batch id (an {@code Idempotency-Key}
 * at the edge), each with the two counts its answer had: a batch sent again, after a timeout hid
 * that the first one was written, is answered as the first was and journals nothing. The edge's own
 * key store cannot tell that case, as it gives a key back when its write timed out.
 *
 * <p>Part of the state, so a recovered or moved entity still knows them; a ring of two parallel
 * arrays, allocated at the first batch id, so users whose clients send none pay nothing. Mutated
 * only by the entity's event handler.
 */
public final class AppliedBatches {

  /** How many batches are remembered: far more than a client retries one batch across. */
  static final int CAPACITY = 16;

  /** What a remembered batch was answered: the two counts of its result. */
  public record Answer(int first, int second) {}

  /** Batch ids, 0 for a free slot, oldest at {@code next} once full. */
  private long[] ids;

  /** Each batch's two counts, packed into one long. */
  private long[] counts;

  private int next;

  public AppliedBatches() {
    this(null, null, 0);
  }

  @JsonCreator
  public AppliedBatches(
      @JsonProperty("ids") long[] ids,
      @JsonProperty("counts") long[] counts,
      @JsonProperty("next") int next) {
    boolean valid =
        ids != null
            && counts != null
            && ids.length == CAPACITY
            && counts.length == CAPACITY
            && next >= 0
            && next < CAPACITY;
    // a snapshot of another capacity starts afresh: forgetting batches costs at most a retry's
    // second count, never the state
    this.ids = valid ? ids : null;
    this.counts = valid ? counts : null;
    this.next = valid ? next : 0;
  }

  @JsonProperty("ids")
  long[] ids() {
    return ids;
  }

  @JsonProperty("counts")
  long[] counts() {
    return counts;
  }

  @JsonProperty("next")
  int next() {
    return next;
  }

  /** The answer batch {@code id} had, or {@code null} if it is not one of the remembered ones. */
  public Answer find(long id) {
    if (id == 0 || ids == null) return null;
    for (int i = 0; i < CAPACITY; i++) {
      if (ids[i] == id) return new Answer((int) (counts[i] >>> 32), (int) counts[i]);
    }
    return null;
  }

  /** Remembers batch {@code id} (0: none) with its answer, forgetting the oldest when full. */
  void remember(long id, int first, int second) {
    if (id == 0 || find(id) != null) return;
    if (ids == null) {
      ids = new long[CAPACITY];
      counts = new long[CAPACITY];
    }
    ids[next] = id;
    counts[next] = ((long) first << 32) | (second & 0xffffffffL);
    next = (next + 1) % CAPACITY;
  }

  /** How many batches are remembered. */
  @JsonIgnore
  public int size() {
    return ids == null ? 0 : (int) Arrays.stream(ids).filter(id -> id != 0).count();
  }
}
