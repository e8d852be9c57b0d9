package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.features.Intent;
import dev.freshet.actors.features.InteractionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated {@code POST /v1/events} body: 1..1,000 events of any users, impressions and
 * interactions mixed. Every field is checked before anything is recorded.
 */
public record EventBatch(List<EventBatch.Event> events) {

  static final int MAX_EVENTS = 1_000;
  static final long MAX_DWELL_MILLIS = 24 * 3_600_000L;

  public record Event(
      String userId,
      String itemId,
      InteractionType type,
      long at,
      String intent,
      Long value,
      String rankingId,
      Integer position) {}

  public static EventBatch parse(JsonNode body, TimeWindow window, long now) {
    Fields.requireObject(body);
    JsonNode events = Fields.requiredArray(body, "events", "events", MAX_EVENTS);
    List<Event> parsed = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++)
      parsed.add(event(events.get(i), "events[" + i + "]", window, now));
    return new EventBatch(parsed);
  }

  private static Event event(JsonNode node, String at, TimeWindow window, long now) {
    if (!node.isObject()) throw ApiException.invalid(at, at + " must be an object");
    InteractionType type = type(node, at + ".type");
    String userId = Fields.requiredId(node, "userId", at + ".userId");
    String itemId = Fields.requiredId(node, "itemId", at + ".itemId");
    long ts = Fields.timestamp(node, "ts", at + ".ts", window, now);
    Optional<String> intent =
        Fields.optionalText(node, "intent", at + ".intent", Intent.MAX_LENGTH);
    Optional<String> rankingId = Fields.optionalId(node, "rankingId", at + ".rankingId");
    return new Event(
        userId,
        itemId,
        type,
        ts,
        intent.orElse(null),
        value(node, at + ".value", type),
        rankingId.orElse(null),
        position(node, at + ".position"));
  }

  private static InteractionType type(JsonNode node, String field) {
    JsonNode type = node.get("type");
    if (type == null || type.isNull()) throw ApiException.invalid(field, field + " is required");
    return (type.isTextual()
            ? InteractionType.fromWire(type.textValue())
            : Optional.<InteractionType>empty())
        .orElseThrow(
            () ->
                ApiException.invalid(
                    field,
                    field
                        + " must be one of impression, click, like, dislike, skip, favorite, share, purchase, dwell"));
  }

  /** Dwell needs its length in ms; on any other type a value would be silently meaningless. */
  private static Long value(JsonNode node, String field, InteractionType type) {
    JsonNode value = node.get("value");
    boolean absent = value == null || value.isNull();
    if (type != InteractionType.DWELL) {
      if (!absent) throw ApiException.invalid(field, field + " is only for dwell events");
      return null;
    }
    if (absent)
      throw ApiException.invalid(field, field + " (dwell time in ms) is required for dwell events");
    if (!value.isIntegralNumber()
        || !value.canConvertToLong()
        || value.longValue() < 0
        || value.longValue() > MAX_DWELL_MILLIS) {
      throw ApiException.invalid(
          field, field + " must be whole milliseconds from 0 to " + MAX_DWELL_MILLIS);
    }
    return value.longValue();
  }

  private static Integer position(JsonNode node, String field) {
    JsonNode position = node.get("position");
    if (position == null || position.isNull()) return null;
    if (!position.isIntegralNumber() || !position.canConvertToInt() || position.intValue() < 0) {
      throw ApiException.invalid(field, field + " must be a non-negative integer");
    }
    return position.intValue();
  }
}
