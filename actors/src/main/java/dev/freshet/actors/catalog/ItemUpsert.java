package dev.freshet.actors.catalog;

import java.util.List;

/** A validated request to create or replace one item; the store assigns the dense id. */
public record ItemUpsert(
    String id,
    String category,
    List<String> tags,
    long createdAtMillis,
    ItemStatus status,
    double popularity,
    float[] embedding,
    String attributesJson) {

  public ItemUpsert {
    tags = List.copyOf(tags);
  }

  /** The item as stored, once the store has given it its dense id. */
  public Item stored(int denseId) {
    return new Item(
        id,
        denseId,
        category,
        tags,
        createdAtMillis,
        status,
        popularity,
        embedding,
        attributesJson);
  }
}
