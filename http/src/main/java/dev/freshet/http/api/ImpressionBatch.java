package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated {@code POST /v1/impressions} body: one user, 1..1,000 item ids, and the optional
 * context of where they were shown.
 */
public record ImpressionBatch(
    String userId,
    List<String> itemIds,
    Optional<String> surface,
    Optional<String> rankingId,
    Optional<List<Integer>> positions) {

  static final int MAX_IDS = 1_000;

  public static ImpressionBatch parse(JsonNode body) {
    Fields.requireObject(body);
    String userId = Fields.requiredId(body, "userId", "userId");
    JsonNode ids = Fields.requiredArray(body, "itemIds", "itemIds", MAX_IDS);
    List<String> itemIds = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      JsonNode id = ids.get(i);
      String field = "itemIds[" + i + "]";
      if (!id.isTextual()) throw ApiException.invalid(field, field + " must be a string");
      itemIds.add(Fields.id(field, id.textValue()));
    }
    Optional<String> surface = Fields.optionalText(body, "surface", "surface", 64);
    Optional<String> rankingId = Fields.optionalId(body, "rankingId", "rankingId");
    return new ImpressionBatch(
        userId, itemIds, surface, rankingId, positions(body, itemIds.size()));
  }

  private static Optional<List<Integer>> positions(JsonNode body, int count) {
    JsonNode node = body.get("positions");
    if (node == null || node.isNull()) return Optional.empty();
    if (!node.isArray()) throw ApiException.invalid("positions", "positions must be an array");
    if (node.size() != count) {
      throw ApiException.invalid(
          "positions", "positions must have one entry per item id (" + count + ")");
    }
    List<Integer> positions = new ArrayList<>(count);
    for (int i = 0; i < node.size(); i++) {
      JsonNode p = node.get(i);
      if (!p.isIntegralNumber() || !p.canConvertToInt() || p.intValue() < 0) {
        throw ApiException.invalid(
            "positions[" + i + "]", "positions[" + i + "] must be a non-negative integer");
      }
      positions.add(p.intValue());
    }
    return Optional.of(positions);
  }
}
