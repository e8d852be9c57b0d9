package dev.freshet.cluster.importer;

import java.util.List;

/** What a file holds: events for {@code POST /v1/events} or items for {@code POST /v1/items}. */
public enum ImportKind {
  EVENTS("events", "/v1/events", CsvColumns.EVENTS),
  ITEMS("items", "/v1/items", CsvColumns.ITEMS);

  private final String field;
  private final String path;
  private final List<CsvColumns.Column> columns;

  ImportKind(String field, String path, List<CsvColumns.Column> columns) {
    this.field = field;
    this.path = path;
    this.columns = columns;
  }

  /** The batch's array field: {@code {"events": […]}}. */
  public String field() {
    return field;
  }

  /** The route a batch goes to. */
  public String path() {
    return path;
  }

  List<CsvColumns.Column> columns() {
    return columns;
  }
}
