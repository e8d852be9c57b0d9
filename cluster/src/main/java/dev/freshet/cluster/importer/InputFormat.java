package dev.freshet.cluster.importer;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A file's format: CSV with a header, or JSON lines. Told by {@code --format}, else by the file's
 * extension ({@code .csv}, {@code .jsonl}, {@code .ndjson}); a CSV header of MovieLens' own columns
 * makes it MovieLens.
 */
public enum InputFormat {
  CSV,
  JSONL;

  /** {@code --format}'s value; an {@link IllegalArgumentException} naming the choices. */
  public static InputFormat parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "csv" -> CSV;
      case "jsonl", "ndjson" -> JSONL;
      default ->
          throw new IllegalArgumentException("--format must be csv or jsonl, not \"" + text + "\"");
    };
  }

  /** The format of {@code file}: {@code forced}, else its extension's. */
  static InputFormat of(Path file, Optional<InputFormat> forced) {
    if (forced.isPresent()) return forced.get();
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) return CSV;
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return JSONL;
    throw new BadValue(
        "cannot tell its format from its name (.csv, .jsonl or .ndjson); pass --format csv or"
            + " --format jsonl");
  }

  /**
   * The reader of a file of this format holding {@code kind}, whose first line is {@code first}.
   */
  LineReader reader(ImportKind kind, String first, String itemPrefix) {
    if (this == JSONL) return new JsonLines();
    List<String> header = CsvFields.split(first);
    if (kind == ImportKind.EVENTS && header.equals(MovieLens.RATINGS))
      return MovieLens.ratings(itemPrefix);
    if (kind == ImportKind.ITEMS && header.equals(MovieLens.MOVIES))
      return MovieLens.movies(itemPrefix);
    return CsvColumns.of(header, kind.columns());
  }

  /** Whether the first line is a header rather than a row. */
  boolean hasHeader() {
    return this == CSV;
  }
}
