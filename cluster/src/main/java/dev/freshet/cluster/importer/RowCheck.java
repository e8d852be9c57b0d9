package dev.freshet.cluster.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.EventBatch;
import dev.freshet.http.api.ItemsRequest;
import dev.freshet.http.api.TimeWindow;

/**
 * Checks every row with the parsers the node itself runs ({@link EventBatch}, {@link
 * ItemsRequest}), so that a row the node would refuse is found before anything is sent, and named
 * by its line. The time window and embedding dimension are this command's configuration: the same
 * settings and environment as a node's, which the node may still differ from.
 */
public final class RowCheck {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TimeWindow window;
  private final int embeddingDimension;
  private final long now;

  public RowCheck(TimeWindow window, int embeddingDimension, long now) {
    this.window = window;
    this.embeddingDimension = embeddingDimension;
    this.now = now;
  }

  /**
   * An event row, its time made epoch milliseconds; a {@link BadValue} for what the node would
   * refuse, and for an event without a time (the node would take it as now: history needs its own).
   */
  ImportRow event(long line, Row row) {
    JsonNode ts = row.json().get("ts");
    if (ts == null || ts.isNull())
      throw new BadValue(row.cell("ts").column() + " is required: history needs each event's time");
    EventBatch.Event event;
    try {
      event = EventBatch.parse(wrapped("events", row), window, now).events().get(0);
    } catch (ApiException e) {
      throw new BadValue(Refusals.inFileTerms(e.field(), e.getMessage(), row));
    }
    row.json().put("ts", event.at());
    return new ImportRow(line, event.at(), bytes(row.json()));
  }

  /** An item row; a {@link BadValue} for what the node would refuse. */
  ImportRow item(long line, Row row) {
    try {
      ItemsRequest.parse(wrapped("items", row), embeddingDimension, window, now);
    } catch (ApiException e) {
      throw new BadValue(Refusals.inFileTerms(e.field(), e.getMessage(), row));
    }
    return new ImportRow(line, 0, bytes(row.json()));
  }

  /** A batch of the one row, as the parsers take it. */
  private static ObjectNode wrapped(String field, Row row) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putArray(field).add(row.json());
    return body;
  }

  private static byte[] bytes(JsonNode json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree is always writable", e);
    }
  }
}
