package dev.freshet.cluster.importer;

/**
 * A row the importer cannot send, and why, in the file's own terms (its column names and values);
 * {@link ImportFile} adds the file and line.
 */
final class BadValue extends RuntimeException {
  BadValue(String message) {
    super(message, null, false, false); // a verdict on input, not a fault: no stack trace
  }
}
