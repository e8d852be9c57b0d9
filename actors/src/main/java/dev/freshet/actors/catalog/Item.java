package dev.freshet.actors.catalog;

import java.util.List;

/**
 * One catalog item as the engine sees it. {@code denseId} is the stable small int that per-user
 * state (bitmaps) uses instead of the string id; it is assigned once by the catalog store and never
 * reused.
 *
 * @param attributesJson the item's free attributes as a JSON object text (validated at the edge)
 * @param popularity base popularity (≥ 0), e.g. from an upstream system or the demo catalog
 * @param embedding optional vector, {@code null} when absent
 */
public record Item(
    String id,
    int denseId,
    String category,
    List<String> tags,
    long createdAtMillis,
    ItemStatus status,
    double popularity,
    float[] embedding,
    String attributesJson) {

  public Item {
    tags = List.copyOf(tags);
  }

  public boolean isActive() {
    return status == ItemStatus.ACTIVE;
  }
}
