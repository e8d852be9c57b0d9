package dev.freshet.actors.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * Items a user engaged with (a click, a like…) before any impression of them was recorded. An
 * engagement means the item was seen, so it joins the seen set at once and is never ranked again;
 * but the impression that arrives after it is the sighting the engagement followed (a page sends
 * its clicks and its impressions as separate, concurrent requests, and a closing page sends its
 * clicks first), so it is still the item's first impression: recorded, in the history and the read
 * models, not counted as a repeat.
 *
 * <p>At most {@link #LIMIT} items (a sorted id array: a few hundred bytes at most, usually none):
 * beyond that an engagement is not remembered, and an impression arriving after it counts as a
 * repeat, as it did before this existed. Mutated only by the entity's event handler, so recovery
 * rebuilds it from the journal; kept in snapshots.
 */
public final class EngagedUnshown {

  /** How many items are remembered at most. */
  static final int LIMIT = 256;

  /** Shared by every user with none (most of them): it is never written to. */
  private static final int[] NONE = new int[0];

  private int[] ids;

  public EngagedUnshown() {
    this(NONE);
  }

  private EngagedUnshown(int[] sortedIds) {
    this.ids = sortedIds;
  }

  public boolean contains(int itemId) {
    return Arrays.binarySearch(ids, itemId) >= 0;
  }

  public int size() {
    return ids.length;
  }

  /** An engagement with an item the user had not seen. */
  void engaged(int itemId) {
    int i = Arrays.binarySearch(ids, itemId);
    if (i >= 0 || ids.length >= LIMIT) return;
    int at = -i - 1;
    int[] out = new int[ids.length + 1];
    System.arraycopy(ids, 0, out, 0, at);
    out[at] = itemId;
    System.arraycopy(ids, at, out, at + 1, ids.length - at);
    ids = out;
  }

  /** First impressions of {@code itemIds} were recorded. */
  void shown(int... itemIds) {
    if (ids.length == 0) return;
    for (int id : itemIds) {
      int i = Arrays.binarySearch(ids, id);
      if (i < 0) continue;
      int[] out = new int[ids.length - 1];
      System.arraycopy(ids, 0, out, 0, i);
      System.arraycopy(ids, i + 1, out, i, ids.length - i - 1);
      ids = out;
    }
  }

  @JsonValue
  int[] toArray() {
    return ids.clone();
  }

  /** From a snapshot; any order, duplicates and excess dropped. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static EngagedUnshown of(int[] itemIds) {
    if (itemIds == null) return new EngagedUnshown();
    int[] sorted = Arrays.stream(itemIds).sorted().distinct().limit(LIMIT).toArray();
    return new EngagedUnshown(sorted);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EngagedUnshown other && Arrays.equals(other.ids, ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids);
  }

  @Override
  public String toString() {
    return "EngagedUnshown" + Arrays.toString(ids);
  }
}
