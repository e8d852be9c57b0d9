package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Validates a {@code POST /v1/items} body into upserts; all or nothing. */
public final class ItemsRequest {

  static final int MAX_ITEMS = 1_000;
  static final int MAX_TAGS = 32;
  static final int MAX_ATTRIBUTES_BYTES = 4_096;

  private ItemsRequest() {}

  public static List<ItemUpsert> parse(
      JsonNode body, int embeddingDimension, TimeWindow window, long now) {
    Fields.requireObject(body);
    JsonNode items = Fields.requiredArray(body, "items", "items", MAX_ITEMS);
    List<ItemUpsert> upserts = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      upserts.add(item(items.get(i), "items[" + i + "]", embeddingDimension, window, now));
    }
    return upserts;
  }

  private static ItemUpsert item(
      JsonNode node, String at, int dimension, TimeWindow window, long now) {
    if (!node.isObject()) throw ApiException.invalid(at, at + " must be an object");
    String id = Fields.requiredId(node, "id", at + ".id");
    String category =
        Fields.optionalText(node, "category", at + ".category", 128)
            .orElseThrow(
                () -> ApiException.invalid(at + ".category", at + ".category is required"));
    return new ItemUpsert(
        id,
        category,
        tags(node, at + ".tags"),
        Fields.timestamp(node, "createdAt", at + ".createdAt", window, now),
        status(node, at + ".status"),
        popularity(node, at + ".popularity"),
        embedding(node, at + ".embedding", dimension),
        attributes(node, at + ".attributes"));
  }

  private static List<String> tags(JsonNode item, String field) {
    JsonNode node = item.get("tags");
    if (node == null || node.isNull()) return List.of();
    if (!node.isArray()) throw ApiException.invalid(field, field + " must be an array of strings");
    if (node.size() > MAX_TAGS)
      throw ApiException.invalid(field, field + " allows at most " + MAX_TAGS + " tags");
    List<String> tags = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode tag = node.get(i);
      String at = field + "[" + i + "]";
      if (!tag.isTextual()) throw ApiException.invalid(at, at + " must be a string");
      String value = Fields.text(at, tag.textValue(), 64);
      if (!tags.contains(value)) tags.add(value);
    }
    return tags;
  }

  private static ItemStatus status(JsonNode item, String field) {
    JsonNode node = item.get("status");
    if (node == null || node.isNull()) return ItemStatus.ACTIVE;
    Optional<ItemStatus> status =
        node.isTextual() ? ItemStatus.fromWire(node.textValue()) : Optional.empty();
    return status.orElseThrow(
        () -> ApiException.invalid(field, field + " must be one of active, archived, flagged"));
  }

  private static double popularity(JsonNode item, String field) {
    JsonNode node = item.get("popularity");
    if (node == null || node.isNull()) return 0.0;
    if (!node.isNumber() || !Double.isFinite(node.doubleValue()) || node.doubleValue() < 0) {
      throw ApiException.invalid(field, field + " must be a non-negative number");
    }
    return node.doubleValue();
  }

  private static float[] embedding(JsonNode item, String field, int dimension) {
    JsonNode node = item.get("embedding");
    if (node == null || node.isNull()) return null;
    if (!node.isArray() || node.size() != dimension) {
      throw ApiException.invalid(field, field + " must be an array of " + dimension + " numbers");
    }
    float[] vector = new float[dimension];
    for (int d = 0; d < dimension; d++) {
      JsonNode x = node.get(d);
      if (!x.isNumber() || !Float.isFinite(x.floatValue())) {
        throw ApiException.invalid(
            field + "[" + d + "]", field + "[" + d + "] must be a finite number");
      }
      vector[d] = x.floatValue();
    }
    return vector;
  }

  private static String attributes(JsonNode item, String field) {
    JsonNode node = item.get("attributes");
    if (node == null || node.isNull()) return "{}";
    if (!node.isObject()) throw ApiException.invalid(field, field + " must be a JSON object");
    String json = node.toString();
    if (json.getBytes(StandardCharsets.UTF_8).length > MAX_ATTRIBUTES_BYTES) {
      throw ApiException.invalid(
          field, field + " must be at most " + MAX_ATTRIBUTES_BYTES + " bytes of JSON");
    }
    storableStrings(node, field);
    return json;
  }

  /**
   * Every key and string inside {@code node} as PostgreSQL's jsonb can hold it: no NUL (jsonb has
   * no room for it) and no unpaired surrogate (no UTF-8 form). Other control characters are fine
   * here: JSON escapes them.
   */
  private static void storableStrings(JsonNode node, String field) {
    if (node.isTextual()) {
      noNulNorLoneSurrogate(field, node.textValue());
    } else if (node.isObject()) {
      for (var fields = node.fields(); fields.hasNext(); ) {
        var entry = fields.next();
        String at = field + "." + entry.getKey();
        noNulNorLoneSurrogate(
            field, entry.getKey()); // a bad key is named by where it is: it cannot name itself
        storableStrings(entry.getValue(), at);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) storableStrings(node.get(i), field + "[" + i + "]");
    }
  }

  private static void noNulNorLoneSurrogate(String field, String s) {
    if (s.indexOf('\u0000') >= 0)
      throw ApiException.invalid(field, field + " must not contain NUL characters");
    Fields.wellFormed(field, s);
  }
}
