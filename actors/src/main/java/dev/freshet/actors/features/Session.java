package dev.freshet.actors.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * The user's current session: events with gaps under {@code session-gap} (30 minutes by default),
 * and the last few items engaged with in it, newest last.
 */
public final class Session {

  private long startedAt;
  private long lastEventAt;
  private int events;
  private int[] recentItems;

  public Session() {
    this(0L, 0L, 0, new int[0]);
  }

  @JsonCreator
  public Session(
      @JsonProperty("startedAt") long startedAt,
      @JsonProperty("lastEventAt") long lastEventAt,
      @JsonProperty("events") int events,
      @JsonProperty("recentItems") int[] recentItems) {
    this.startedAt = startedAt;
    this.lastEventAt = lastEventAt;
    this.events = events;
    this.recentItems = recentItems;
  }

  /**
   * Counts an event at {@code at}; a gap longer than {@code gapMillis} since the previous one
   * starts a new session. {@code engagedItem} (a dense id, or -1) joins the recent items, keeping
   * the last {@code maxItems} distinct ones. Events older than the session's last are counted in it
   * as they are.
   */
  public void onEvent(long at, int engagedItem, long gapMillis, int maxItems) {
    if (events == 0 || at - lastEventAt > gapMillis) {
      startedAt = at;
      events = 0;
      recentItems = new int[0];
    }
    events++;
    lastEventAt = Math.max(lastEventAt, at);
    if (engagedItem >= 0) remember(engagedItem, maxItems);
  }

  private void remember(int item, int maxItems) {
    int[] kept = Arrays.stream(recentItems).filter(i -> i != item).toArray();
    int from = Math.max(0, kept.length + 1 - maxItems);
    int[] next = Arrays.copyOfRange(kept, from, kept.length + 1);
    next[next.length - 1] = item;
    recentItems = next;
  }

  /** True when a session is open at {@code now}. */
  public boolean activeAt(long now, long gapMillis) {
    return events > 0 && now - lastEventAt <= gapMillis;
  }

  @JsonProperty("startedAt")
  public long startedAt() {
    return startedAt;
  }

  @JsonProperty("lastEventAt")
  public long lastEventAt() {
    return lastEventAt;
  }

  @JsonProperty("events")
  public int events() {
    return events;
  }

  @JsonProperty("recentItems")
  public int[] recentItems() {
    return recentItems.clone();
  }
}
