package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.catalog.Item;
import java.time.Instant;
import java.util.List;

/**
 * An item as API.md shows it, wherever one is shown ({@code GET /v1/items/{id}}, favourites);
 * {@code embedding} only when the item has one, {@code attributes} the client's own JSON.
 */
public record ItemAnswer(
    String id,
    String category,
    List<String> tags,
    String createdAt,
    String status,
    double popularity,
    @JsonInclude(JsonInclude.Include.NON_NULL) float[] embedding,
    JsonNode attributes) {

  public static ItemAnswer of(Item item) {
    return new ItemAnswer(
        item.id(),
        item.category(),
        item.tags(),
        Instant.ofEpochMilli(item.createdAtMillis()).toString(),
        item.status().wire(),
        item.popularity(),
        item.embedding(),
        ApiJson.stored(item.attributesJson(), "The stored attributes of " + item.id()));
  }
}
