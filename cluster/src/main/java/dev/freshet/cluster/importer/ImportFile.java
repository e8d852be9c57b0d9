package dev.freshet.cluster.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A whole input file read and checked before anything is sent: the rows to import, and the bad ones
 * with their line numbers. Blank lines are skipped and still counted, so numbers match an editor's.
 */
public record ImportFile(
    String name, String format, List<ImportRow> rows, List<BadRow> firstBad, long bad) {

  /** How many bad rows are kept to be told; the rest are only counted. */
  static final int BAD_ROWS_KEPT = 100;

  /** A file that cannot be imported at all (no header, an unknown column, an unknown format). */
  public static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message);
    }
  }

  /**
   * Reads {@code file} (named {@code name} in messages) as {@code kind}, checking each row with
   * {@code check}.
   */
  public static ImportFile read(
      Path file,
      String name,
      ImportKind kind,
      Optional<InputFormat> forced,
      String itemPrefix,
      RowCheck check)
      throws IOException, Unreadable {
    InputFormat format;
    try {
      format = InputFormat.of(file, forced);
    } catch (BadValue e) {
      throw new Unreadable(name + ": " + e.getMessage());
    }
    List<ImportRow> rows = new ArrayList<>();
    List<BadRow> firstBad = new ArrayList<>();
    long bad = 0;
    LineReader reader = null;
    try (Utf8Lines lines = new Utf8Lines(Files.newInputStream(file))) {
      Utf8Lines.Line next;
      while ((next = lines.next()) != null) {
        long number = next.number();
        String line = next.text();
        if (line == null && reader == null) {
          throw new Unreadable(name + ":" + number + ": not UTF-8 text");
        }
        if (line == null) {
          bad = bad(firstBad, bad, new BadRow(name, number, "not UTF-8 text"));
          continue;
        }
        if (number == 1 && line.startsWith("\uFEFF")) line = line.substring(1); // a BOM
        if (line.isBlank()) continue;
        if (reader == null) {
          try {
            reader = format.reader(kind, line, itemPrefix);
          } catch (BadValue e) {
            throw new Unreadable(name + ":" + number + ": " + e.getMessage());
          }
          if (format.hasHeader()) continue;
        }
        try {
          Row row = reader.read(line);
          rows.add(kind == ImportKind.EVENTS ? check.event(number, row) : check.item(number, row));
        } catch (BadValue e) {
          bad = bad(firstBad, bad, new BadRow(name, number, e.getMessage()));
        }
      }
    }
    if (reader == null) throw new Unreadable(name + ": the file is empty");
    return new ImportFile(name, reader.describe(), rows, firstBad, bad);
  }

  /** Counts {@code row}, keeping it to be told if few were kept yet; answers the new count. */
  private static long bad(List<BadRow> firstBad, long bad, BadRow row) {
    if (firstBad.size() < BAD_ROWS_KEPT) firstBad.add(row);
    return bad + 1;
  }
}
