package dev.freshet.persistence;

import java.sql.SQLException;
import java.util.Optional;

/**
 * A database operation failed; the cause says why. Callers answer 5xx and never 2xx, unless the
 * database refused the data itself ({@link #refusedData()}): then retrying can never succeed and
 * the caller answers 4xx.
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The SQLSTATE when PostgreSQL refused the values themselves: class 22 (data exception: out of
   * range, invalid text, NUL in text) or 23 (integrity constraint). Empty for every other failure
   * (connection lost, timeouts, our own SQL), which may pass.
   */
  public Optional<String> refusedData() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException s = sql; s != null; s = s.getNextException()) {
          String state = s.getSQLState();
          if (state != null && (state.startsWith("22") || state.startsWith("23")))
            return Optional.of(state);
        }
      }
    }
    return Optional.empty();
  }
}
