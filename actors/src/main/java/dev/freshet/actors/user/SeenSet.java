package dev.freshet.actors.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.roaringbitmap.RoaringBitmap;

/**
 * The dense ids of every item a user has an impression of: a compressed bitmap, so that 1,000 seen
 * items cost about 2 KiB instead of 1,000 strings. Serialized (for snapshots) in RoaringBitmap's
 * portable format.
 *
 * <p>Mutated only by the entity's event handler; everything else reads.
 */
public final class SeenSet {

  private final RoaringBitmap bitmap;

  public SeenSet() {
    this(new RoaringBitmap());
  }

  private SeenSet(RoaringBitmap bitmap) {
    this.bitmap = bitmap;
  }

  /**
   * The positions in {@code batch} of the ids not yet seen, each id once (its first occurrence), in
   * batch order. Pure: the set is not changed, so a command handler can decide what to persist
   * before anything is applied.
   */
  public int[] firstTimeIndexes(int[] batch) {
    return firstImpressionIndexes(batch, new EngagedUnshown());
  }

  /**
   * As {@link #firstTimeIndexes}, counting also the ids seen only through an engagement that came
   * before any impression of them ({@code unshown}): positions of the batch's first impressions.
   */
  public int[] firstImpressionIndexes(int[] batch, EngagedUnshown unshown) {
    RoaringBitmap inBatch = new RoaringBitmap();
    int[] fresh = new int[batch.length];
    int n = 0;
    for (int i = 0; i < batch.length; i++) {
      int id = batch[i];
      if ((!bitmap.contains(id) || unshown.contains(id)) && inBatch.checkedAdd(id)) {
        fresh[n++] = i;
      }
    }
    return n == fresh.length ? fresh : Arrays.copyOf(fresh, n);
  }

  /** Applies a recorded event. */
  public void addAll(int[] ids) {
    bitmap.addN(ids, 0, ids.length);
  }

  public boolean contains(int id) {
    return bitmap.contains(id);
  }

  public int size() {
    return bitmap.getCardinality();
  }

  /** How many of the given ids (e.g. the active pool) this set contains. */
  public int countIn(RoaringBitmap ids) {
    return RoaringBitmap.andCardinality(bitmap, ids);
  }

  /** A new bitmap of the seen ids and {@code others}; neither is changed. */
  public RoaringBitmap union(RoaringBitmap others) {
    return RoaringBitmap.or(bitmap, others);
  }

  public int[] toArray() {
    return bitmap.toArray();
  }

  /** Heap bytes used by the bitmap, for memory accounting. */
  public long sizeInBytes() {
    return bitmap.getLongSizeInBytes();
  }

  /** Shrinks run-heavy containers; called before snapshots and after recovery. */
  public void compact() {
    bitmap.runOptimize();
    bitmap.trim();
  }

  @JsonValue
  public byte[] toBytes() {
    compact();
    ByteBuffer buffer = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
    bitmap.serialize(buffer);
    return buffer.array();
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SeenSet fromBytes(byte[] bytes) {
    RoaringBitmap bitmap = new RoaringBitmap();
    try {
      bitmap.deserialize(new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException("Corrupt seen-set snapshot", e);
    }
    return new SeenSet(bitmap);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SeenSet other && other.bitmap.equals(bitmap);
  }

  @Override
  public int hashCode() {
    return bitmap.hashCode();
  }

  @Override
  public String toString() {
    return "SeenSet(" + size() + ")";
  }
}
