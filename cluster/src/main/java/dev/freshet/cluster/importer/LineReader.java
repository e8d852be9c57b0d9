package dev.freshet.cluster.importer;

/** How one format turns a data line of a file into a {@link Row}. */
interface LineReader {

  /** The row of {@code line}; a {@link BadValue} when the line cannot be read at all. */
  Row read(String line);

  /** What the command says about the file: its format and mapping. */
  String describe();
}
