package dev.freshet.cluster.importer;

/** A line of an input file that was not imported, as {@code file:line: why}. */
public record BadRow(String file, long line, String message) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + message;
  }
}
