package dev.freshet.cluster.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One data line as the API's JSON object ({@code POST /v1/events}' event or {@code POST /v1/items}'
 * item), and where the file wrote each API field, so that a refusal can be told in the file's
 * terms.
 */
record Row(ObjectNode json, Map<String, Cell> cells) {

  /** A value as the file wrote it: its column's name and its text. */
  record Cell(String column, String text) {}

  /** Where API field {@code field} came from; a JSON line's own field when nothing is recorded. */
  Cell cell(String field) {
    Cell cell = cells.get(field);
    if (cell != null) return cell;
    JsonNode value = json.get(field);
    return new Cell(field, value == null ? null : value.toString());
  }
}
