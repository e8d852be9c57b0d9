package dev.freshet.streams;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A user's impression history, read from the user's journal (which keeps every first-time
 * impression with its time, surface, ranking and position, and every replay): newest first, paged
 * by a cursor. The entity itself keeps only the seen set, so a user's history costs no heap while
 * nobody looks at it.
 */
public final class UserHistory {

  /** One impression, with how often the item was replayed since. */
  public record Entry(
      int itemId,
      long atMillis,
      String surface,
      String rankingId,
      Integer position,
      int replayCount,
      long lastReplayedAt,
      Cursor cursor) {}

  /** A page, newest first, and the cursor of the next (older) page when there is one. */
  public record Page(List<Entry> entries, Optional<Cursor> next) {}

  /**
   * A position in the timeline: impressions are ordered by time, then by journal sequence number
   * and index within the event, so that a page boundary inside one batch (same time) is exact.
   */
  public record Cursor(long atMillis, long sequenceNr, int index) implements Comparable<Cursor> {

    static final Comparator<Cursor> ORDER =
        Comparator.comparingLong(Cursor::atMillis)
            .thenComparingLong(Cursor::sequenceNr)
            .thenComparingInt(Cursor::index);

    /** Everything strictly before this instant. */
    public static Cursor before(long atMillis) {
      return new Cursor(atMillis, 0, 0);
    }

    /** The cursor as the opaque {@code before} value a client sends back. */
    public String token() {
      return atMillis + "." + sequenceNr + "." + index;
    }

    /** Parses {@link #token()}; empty if {@code value} is not one. */
    public static Optional<Cursor> parse(String value) {
      String[] parts = value.split("\\.", -1);
      if (parts.length != 3) return Optional.empty();
      try {
        Cursor c =
            new Cursor(
                Long.parseLong(parts[0]), Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
        return c.atMillis() < 0 || c.sequenceNr() < 0 || c.index() < 0
            ? Optional.empty()
            : Optional.of(c);
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    @Override
    public int compareTo(Cursor other) {
      return ORDER.compare(this, other);
    }
  }

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;

  public UserHistory(ActorSystem<?> system, CurrentEventsByPersistenceIdQuery journal) {
    this.system = system;
    this.journal = journal;
  }

  /** Up to {@code limit} impressions older than {@code before} (or the newest), newest first. */
  public CompletionStage<Page> page(String userId, Optional<Cursor> before, int limit) {
    String persistenceId = PersistenceId.of(UserEntity.TYPE_KEY.name(), userId).id();
    return journal
        .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .runWith(Sink.fold(new Timeline(), Timeline::add), system)
        .thenApply(timeline -> timeline.page(before, limit));
  }

  /** The impressions and replays of one journal, folded in journal order. */
  static final class Timeline {
    private final List<Entry> impressions = new ArrayList<>();

    /** Per replayed item: {count, last replayed at}. */
    private final Map<Integer, long[]> replays = new HashMap<>();

    Timeline add(EventEnvelope envelope) {
      long seq = envelope.sequenceNr();
      Object event = envelope.event();
      if (event instanceof UserEntity.ImpressionsShown e) {
        // the first-time impressions only: a repeat is no new entry in the history
        for (int i = 0; i < e.firstTime().length; i++) {
          Integer position = e.positions() == null ? null : e.positions()[i];
          impressions.add(
              new Entry(
                  e.firstTime()[i],
                  e.atMillis(),
                  e.surface(),
                  e.rankingId(),
                  position,
                  0,
                  0,
                  new Cursor(e.atMillis(), seq, i)));
        }
      } else if (event instanceof UserEntity.ImpressionsRecorded e) { // legacy
        for (int i = 0; i < e.itemIds().length; i++) {
          Integer position = e.positions() == null ? null : e.positions()[i];
          impressions.add(
              new Entry(
                  e.itemIds()[i],
                  e.atMillis(),
                  e.surface(),
                  e.rankingId(),
                  position,
                  0,
                  0,
                  new Cursor(e.atMillis(), seq, i)));
        }
      } else if (event instanceof UserEntity.InteractionsRecorded e) {
        for (int i = 0; i < e.interactions().size(); i++) {
          Interaction x = e.interactions().get(i);
          if (x.type() == InteractionType.IMPRESSION) {
            impressions.add(
                new Entry(
                    x.itemId(),
                    x.at(),
                    null,
                    x.rankingId(),
                    x.position(),
                    0,
                    0,
                    new Cursor(x.at(), seq, i)));
          }
        }
      } else if (event instanceof UserEntity.ItemsReplayed e) {
        for (int id : e.itemIds()) {
          long[] replay = replays.computeIfAbsent(id, k -> new long[2]);
          replay[0]++;
          replay[1] = Math.max(replay[1], e.atMillis());
        }
      }
      return this;
    }

    Page page(Optional<Cursor> before, int limit) {
      List<Entry> older =
          impressions.stream()
              .filter(e -> before.map(b -> e.cursor().compareTo(b) < 0).orElse(true))
              .sorted(Comparator.comparing(Entry::cursor).reversed())
              .limit(limit + 1L)
              .toList();
      List<Entry> page = new ArrayList<>(Math.min(limit, older.size()));
      for (Entry e : older.subList(0, Math.min(limit, older.size()))) {
        long[] replay = replays.getOrDefault(e.itemId(), new long[2]);
        page.add(
            new Entry(
                e.itemId(),
                e.atMillis(),
                e.surface(),
                e.rankingId(),
                e.position(),
                (int) replay[0],
                replay[1],
                e.cursor()));
      }
      Optional<Cursor> next =
          older.size() > limit ? Optional.of(page.get(page.size() - 1).cursor()) : Optional.empty();
      return new Page(page, next);
    }
  }
}
