package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.streams.UserHistory;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/users/{id}/history}: a page of the impression timeline grouped by UTC day, newest
 * first, and the {@code next} cursor ({@code null} on the last page).
 */
public record HistoryAnswer(String userId, List<HistoryAnswer.Day> days, String next) {

  public record Day(String day, List<Entry> items) {}

  /**
   * One impression; {@code itemId} is {@code null} (and {@code category} absent) for an item
   * deleted from the catalog since, the context fields only when they were given.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      @JsonInclude(JsonInclude.Include.ALWAYS) String itemId,
      String category,
      String at,
      String surface,
      String rankingId,
      Integer position,
      int replayCount,
      String lastReplayedAt) {}

  public static HistoryAnswer of(String userId, UserHistory.Page page, CatalogSnapshot catalog) {
    List<Day> days = new ArrayList<>();
    List<Entry> items = null;
    String currentDay = null;
    for (UserHistory.Entry e : page.entries()) {
      String day =
          Instant.ofEpochMilli(e.atMillis()).atZone(ZoneOffset.UTC).toLocalDate().toString();
      if (!day.equals(currentDay)) {
        items = new ArrayList<>();
        days.add(new Day(day, items));
        currentDay = day;
      }
      Item item = catalog.byDenseId(e.itemId());
      items.add(
          new Entry(
              item == null ? null : item.id(),
              item == null ? null : item.category(),
              Instant.ofEpochMilli(e.atMillis()).toString(),
              e.surface(),
              e.rankingId(),
              e.position(),
              e.replayCount(),
              e.lastReplayedAt() > 0 ? Instant.ofEpochMilli(e.lastReplayedAt()).toString() : null));
    }
    return new HistoryAnswer(userId, days, page.next().map(UserHistory.Cursor::token).orElse(null));
  }
}
