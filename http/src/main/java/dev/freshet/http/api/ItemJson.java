package dev.freshet.http.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.actors.catalog.Item;
import java.time.Instant;

/** An item as API.md shows it. */
public final class ItemJson {
  private ItemJson() {}

  public static ObjectNode of(ObjectMapper mapper, Item item) {
    ObjectNode node = mapper.createObjectNode();
    node.put("id", item.id());
    node.put("category", item.category());
    ArrayNode tags = node.putArray("tags");
    item.tags().forEach(tags::add);
    node.put("createdAt", Instant.ofEpochMilli(item.createdAtMillis()).toString());
    node.put("status", item.status().wire());
    node.put("popularity", item.popularity());
    if (item.embedding() != null) {
      ArrayNode embedding = node.putArray("embedding");
      for (float x : item.embedding()) embedding.add(x);
    }
    try {
      node.set("attributes", mapper.readTree(item.attributesJson()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Stored attributes of " + item.id() + " are not JSON", e);
    }
    return node;
  }
}
