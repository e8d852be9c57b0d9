package dev.freshet.cluster.importer;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * A refusal of the API (a message naming a field such as {@code events[0].ts}) told in the terms of
 * the file the row came from: its column and the value it holds, e.g. {@code timestamp "838985046"
 * (1996-08-02T11:24:06Z) is before 2000-01-01T00:00:00Z, …}.
 */
public final class Refusals {

  /** Longer values are cut in messages. */
  private static final int SHOWN_CHARACTERS = 60;

  private Refusals() {}

  /**
   * {@code message} about {@code field} (a field of the batch, {@code events[i].…} or {@code
   * items[i].…}) in the terms of {@code row}.
   */
  static String inFileTerms(String field, String message, Row row) {
    if (field == null || !message.startsWith(field)) return message;
    String rest = message.substring(field.length());
    int dot = field.indexOf("].");
    String local = dot < 0 ? field : field.substring(dot + 2); // ts, embedding[3], attributes.x
    int end = 0;
    while (end < local.length() && local.charAt(end) != '[' && local.charAt(end) != '.') end++;
    String top = local.substring(0, end);
    Row.Cell cell = row.cell(top);
    StringBuilder s = new StringBuilder(cell.column()).append(local.substring(end));
    if (cell.text() != null && !rest.contains("(" + cell.text() + ")")) {
      s.append(" \"").append(shown(cell.text())).append('"');
      JsonNode value = row.json().get(top);
      if (isTime(top) && value != null && value.isIntegralNumber()) {
        s.append(" (").append(Instant.ofEpochMilli(value.longValue())).append(')');
      }
    }
    return s.append(rest).toString();
  }

  /**
   * What to do about a refusal, told once however many rows it hit: a time before the node's window
   * can be let in.
   */
  public static Optional<String> hint(String message) {
    return message.contains("the earliest time accepted")
        ? Optional.of(
            "FRESHET_EARLIEST_EVENT_TIME (an ISO instant such as 1995-01-01T00:00:00Z) moves the"
                + " earliest time a node accepts: set it for the node, and for this command, to"
                + " import older history")
        : Optional.empty();
  }

  private static boolean isTime(String field) {
    return field.equals("ts") || field.equals("createdAt");
  }

  private static String shown(String text) {
    return text.length() <= SHOWN_CHARACTERS
        ? text
        : text.substring(0, SHOWN_CHARACTERS) + "… (" + text.length() + " characters)";
  }
}
