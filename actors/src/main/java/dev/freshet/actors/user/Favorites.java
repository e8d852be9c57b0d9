package dev.freshet.actors.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A user's favourite items (dense ids) with when each was added, oldest first. Bounded, so that a
 * user's state stays small. Mutated only by the entity's event handler.
 */
public final class Favorites {

  public static final int MAX = 1_000;

  /** One favourite. */
  public record Favorite(int itemId, long addedAtMillis) {}

  private final List<Favorite> items;

  public Favorites() {
    this(new ArrayList<>());
  }

  @JsonCreator
  public Favorites(@JsonProperty("items") List<Favorite> items) {
    this.items = items == null ? new ArrayList<>() : new ArrayList<>(items);
  }

  @JsonProperty("items")
  List<Favorite> items() {
    return items;
  }

  public boolean contains(int itemId) {
    return items.stream().anyMatch(f -> f.itemId() == itemId);
  }

  public int size() {
    return items.size();
  }

  public boolean isFull() {
    return items.size() >= MAX;
  }

  void add(int itemId, long at) {
    if (!contains(itemId)) items.add(new Favorite(itemId, at));
  }

  void remove(int itemId) {
    items.removeIf(f -> f.itemId() == itemId);
  }

  /** Newest first. */
  public List<Favorite> newestFirst() {
    List<Favorite> out = new ArrayList<>(items);
    Collections.reverse(out);
    return out;
  }
}
