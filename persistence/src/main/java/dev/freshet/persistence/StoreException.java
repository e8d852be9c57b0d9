package dev.freshet.persistence;

/** A database operation failed; the cause says why. Callers answer 5xx, never 2xx. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
