package dev.freshet.actors.user;

import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.SignalWeights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * How a batch splits against what the user has already seen: the event to journal (one per batch,
 * telling first-time impressions and every interaction from repeated impressions, which only move
 * the read models' view counts), the items seen for the first time (which move the pool levels),
 * and the counts the caller is told. Pure: the seen set is not changed, so a command handler
 * decides what to persist before anything is applied.
 *
 * @param events what to journal: one event, or none for an empty batch
 * @param firstSeen the dense ids the user sees for the first time with this batch
 * @param newImpressions the impressions that are first-time ones
 * @param repeats the impressions that are not
 */
record BatchSplit(List<UserEntity.Event> events, int[] firstSeen, int newImpressions, int repeats) {

  /** No batch: what a ranking passes to see whether a changed catalog moved the pool levels. */
  static final BatchSplit NONE = new BatchSplit(List.of(), new int[0], 0, 0);

  /**
   * A batch of impressions: each id is recorded once, the first time; every other showing is a
   * repeat.
   */
  static BatchSplit impressions(SeenSet seen, UserEntity.RecordImpressions batch) {
    return impressions(seen, batch, false);
  }

  /**
   * As {@link #impressions(SeenSet, UserEntity.RecordImpressions)}; {@code legacyEvents}: as the
   * two events of versions before {@link UserEntity.ImpressionsShown}, for a rolling upgrade.
   */
  static BatchSplit impressions(
      SeenSet seen, UserEntity.RecordImpressions batch, boolean legacyEvents) {
    return impressions(seen, new EngagedUnshown(), batch, legacyEvents);
  }

  /**
   * As {@link #impressions(SeenSet, UserEntity.RecordImpressions, boolean)}, where an item in
   * {@code unshown} (seen through an engagement that came before any impression of it) has its
   * first impression now: recorded as first-time, though it moves no pool level (it is seen
   * already).
   */
  static BatchSplit impressions(
      SeenSet seen,
      EngagedUnshown unshown,
      UserEntity.RecordImpressions batch,
      boolean legacyEvents) {
    int[] ids = batch.itemIds();
    int[] fresh = seen.firstImpressionIndexes(ids, unshown);
    int[] freshIds = pick(ids, fresh);
    // the pool levels move by the items not seen before, as interactions' first-seen ids are taken
    int[] firstSeen = pick(freshIds, seen.firstTimeIndexes(freshIds));
    int[] repeated = allBut(ids, fresh);
    if (legacyEvents) {
      List<UserEntity.Event> events = new ArrayList<>(2);
      if (fresh.length > 0) {
        int[] positions = batch.positions() == null ? null : pick(batch.positions(), fresh);
        events.add(
            new UserEntity.ImpressionsRecorded(
                freshIds, batch.atMillis(), positions, batch.surface(), batch.rankingId()));
      }
      if (repeated.length > 0)
        events.add(new UserEntity.ImpressionsRepeated(repeated, batch.atMillis()));
      return new BatchSplit(events, firstSeen, fresh.length, repeated.length);
    }
    List<UserEntity.Event> events =
        ids.length == 0
            ? List.of()
            : List.of(
                new UserEntity.ImpressionsShown(
                    freshIds,
                    repeated,
                    batch.atMillis(),
                    batch.positions() == null ? null : pick(batch.positions(), fresh),
                    batch.surface(),
                    batch.rankingId(),
                    batch.batch()));
    return new BatchSplit(events, firstSeen, fresh.length, repeated.length);
  }

  /**
   * A batch of interactions: every one is journaled but repeated impressions (only listed), each
   * with the category and tags its item has now ({@code items}: by dense id, {@code null} for an
   * unknown one), and with the embedding of every item engaged with ({@code signals} say which
   * interactions engage), so that recovery needs no catalog.
   */
  static BatchSplit interactions(
      SeenSet seen, List<Interaction> batch, IntFunction<Item> items, SignalWeights signals) {
    return interactions(seen, batch, items, signals, false);
  }

  /**
   * As {@link #interactions(SeenSet, List, IntFunction, SignalWeights)}; {@code legacyEvents}: the
   * repeats in an {@link UserEntity.ImpressionsRepeated} of their own, as versions before did.
   */
  static BatchSplit interactions(
      SeenSet seen,
      List<Interaction> batch,
      IntFunction<Item> items,
      SignalWeights signals,
      boolean legacyEvents) {
    return interactions(seen, new EngagedUnshown(), batch, items, signals, legacyEvents, 0L);
  }

  /**
   * As {@link #interactions(SeenSet, List, IntFunction, SignalWeights, boolean)}, the event marked
   * with {@code batchId} (0: none), which the state remembers so that the batch sent again is not
   * recorded twice (legacy events carry none); an impression of an item in {@code unshown} (seen
   * through an engagement that came before any impression of it) is its first.
   */
  static BatchSplit interactions(
      SeenSet seen,
      EngagedUnshown unshown,
      List<Interaction> batch,
      IntFunction<Item> items,
      SignalWeights signals,
      boolean legacyEvents,
      long batchId) {
    int[] impressionIds =
        batch.stream()
            .filter(e -> e.type() == InteractionType.IMPRESSION)
            .mapToInt(Interaction::itemId)
            .toArray();
    RoaringBitmap firstTime = new RoaringBitmap();
    for (int index : seen.firstImpressionIndexes(impressionIds, unshown))
      firstTime.add(impressionIds[index]);
    List<Interaction> journaled = new ArrayList<>(batch.size());
    Map<Integer, float[]> embeddings = new HashMap<>();
    List<Integer> repeated = new ArrayList<>();
    long repeatedAt = 0;
    int newImpressions = 0;
    for (Interaction e : batch) {
      if (e.type() == InteractionType.IMPRESSION && !firstTime.contains(e.itemId())) {
        repeated.add(e.itemId());
        repeatedAt = Math.max(repeatedAt, e.at());
        continue;
      }
      if (e.type() == InteractionType.IMPRESSION) {
        firstTime.remove(e.itemId()); // once per batch
        newImpressions++;
      }
      Item item = items.apply(e.itemId());
      journaled.add(
          e.withItem(
              item == null ? null : item.category(), item == null ? List.of() : item.tags()));
      // the vector moves only for an engagement with an item that has an embedding
      if (item != null && item.embedding() != null && signals.affinityDelta(e) > 0) {
        embeddings.put(e.itemId(), item.embedding());
      }
    }
    int[] journaledIds = journaled.stream().mapToInt(Interaction::itemId).toArray();
    int[] repeatedIds = repeated.stream().mapToInt(Integer::intValue).toArray();
    List<UserEntity.Event> events;
    if (legacyEvents) {
      events = new ArrayList<>(2);
      if (!journaled.isEmpty())
        events.add(new UserEntity.InteractionsRecorded(journaled, embeddings));
      if (repeatedIds.length > 0)
        events.add(new UserEntity.ImpressionsRepeated(repeatedIds, repeatedAt));
    } else {
      events =
          batch.isEmpty()
              ? List.of()
              : List.of(
                  new UserEntity.InteractionsRecorded(
                      journaled, embeddings, repeatedIds, repeatedAt, batchId));
    }
    return new BatchSplit(
        events,
        pick(journaledIds, seen.firstTimeIndexes(journaledIds)),
        newImpressions,
        repeated.size());
  }

  /** The values not at {@code indexes}. */
  private static int[] allBut(int[] values, int[] indexes) {
    boolean[] skip = new boolean[values.length];
    for (int index : indexes) skip[index] = true;
    int[] rest = new int[values.length - indexes.length];
    int n = 0;
    for (int i = 0; i < values.length; i++) if (!skip[i]) rest[n++] = values[i];
    return rest;
  }

  private static int[] pick(int[] values, int[] indexes) {
    int[] picked = new int[indexes.length];
    for (int i = 0; i < indexes.length; i++) picked[i] = values[indexes[i]];
    return picked;
  }
}
