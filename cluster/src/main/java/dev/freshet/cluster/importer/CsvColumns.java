package dev.freshet.cluster.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A CSV file whose header names the API's fields: events ({@code userId,itemId,type,ts} and
 * optionally {@code intent,value,rankingId,position}) or items ({@code id,category} and optionally
 * {@code tags,createdAt,status,popularity,embedding,attributes}), in any order. An empty cell is an
 * absent field. Lists ({@code tags}, {@code embedding}) are separated by {@code |}; {@code
 * attributes} is a JSON object. Numbers are sent as numbers and anything else as text, so that the
 * API's own checks word the refusal.
 */
final class CsvColumns implements LineReader {

  /** How a cell becomes a JSON value. */
  enum Kind {
    TEXT,
    /** a whole number where the cell is one (epoch milliseconds, positions, dwell), else text */
    WHOLE,
    NUMBER,
    LIST,
    NUMBER_LIST,
    JSON
  }

  record Column(String name, Kind kind, boolean required) {}

  static final List<Column> EVENTS =
      List.of(
          new Column("userId", Kind.TEXT, true),
          new Column("itemId", Kind.TEXT, true),
          new Column("type", Kind.TEXT, true),
          new Column("ts", Kind.WHOLE, true),
          new Column("intent", Kind.TEXT, false),
          new Column("value", Kind.WHOLE, false),
          new Column("rankingId", Kind.TEXT, false),
          new Column("position", Kind.WHOLE, false));

  static final List<Column> ITEMS =
      List.of(
          new Column("id", Kind.TEXT, true),
          new Column("category", Kind.TEXT, true),
          new Column("tags", Kind.LIST, false),
          new Column("createdAt", Kind.WHOLE, false),
          new Column("status", Kind.TEXT, false),
          new Column("popularity", Kind.NUMBER, false),
          new Column("embedding", Kind.NUMBER_LIST, false),
          new Column("attributes", Kind.JSON, false));

  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern NUMBER =
      Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Column[] byPosition;

  private CsvColumns(Column[] byPosition) {
    this.byPosition = byPosition;
  }

  /** The reader of a file with {@code header}; a {@link BadValue} naming what the header lacks. */
  static CsvColumns of(List<String> header, List<Column> columns) {
    Map<String, Column> known = new HashMap<>();
    for (Column c : columns) known.put(c.name(), c);
    Column[] byPosition = new Column[header.size()];
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      String name = header.get(i);
      Column column = known.get(name);
      if (column == null)
        throw new BadValue("unknown column \"" + name + "\"; the columns are " + names(columns));
      if (seen.contains(name)) throw new BadValue("column \"" + name + "\" appears twice");
      seen.add(name);
      byPosition[i] = column;
    }
    for (Column c : columns) {
      if (c.required() && !seen.contains(c.name()))
        throw new BadValue("the header lacks column \"" + c.name() + "\"");
    }
    return new CsvColumns(byPosition);
  }

  static String names(List<Column> columns) {
    StringBuilder s = new StringBuilder();
    for (Column c : columns) {
      if (!s.isEmpty()) s.append(',');
      s.append(c.required() ? c.name() : "[" + c.name() + "]");
    }
    return s.toString();
  }

  @Override
  public Row read(String line) {
    List<String> fields = CsvFields.split(line);
    if (fields.size() != byPosition.length) {
      throw new BadValue(
          "has " + fields.size() + " fields; the header has " + byPosition.length + " columns");
    }
    ObjectNode json = NODES.objectNode();
    Map<String, Row.Cell> cells = new LinkedHashMap<>();
    for (int i = 0; i < byPosition.length; i++) {
      String text = fields.get(i);
      if (text.isEmpty()) continue;
      Column column = byPosition[i];
      json.set(column.name(), value(column, text));
      cells.put(column.name(), new Row.Cell(column.name(), text));
    }
    return new Row(json, cells);
  }

  private static JsonNode value(Column column, String text) {
    return switch (column.kind()) {
      case TEXT -> NODES.textNode(text);
      case WHOLE ->
          WHOLE_NUMBER.matcher(text).matches()
              ? NODES.numberNode(Long.parseLong(text))
              : NODES.textNode(text);
      case NUMBER -> number(text);
      case LIST, NUMBER_LIST -> {
        ArrayNode list = NODES.arrayNode();
        for (String part : text.split("\\|", -1)) {
          String entry = part.strip();
          list.add(column.kind() == Kind.LIST ? NODES.textNode(entry) : number(entry));
        }
        yield list;
      }
      case JSON -> {
        try {
          yield MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
          throw new BadValue(column.name() + " is not JSON: " + e.getOriginalMessage());
        }
      }
    };
  }

  private static JsonNode number(String text) {
    return NUMBER.matcher(text).matches()
        ? NODES.numberNode(Double.parseDouble(text))
        : NODES.textNode(text);
  }

  @Override
  public String describe() {
    return "CSV";
  }
}
