package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One JDBC transaction on a pooled connection: committed when the work returns, rolled back when it
 * throws.
 */
public final class Transactions {
  private Transactions() {}

  /** Work inside a transaction; it must not commit or roll back itself. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction; a database failure becomes a {@link StoreException}
   * saying {@code failure}.
   */
  public static <T> T inTransaction(DataSource dataSource, String failure, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true); // the connection goes back to the pool
      }
    } catch (SQLException e) {
      throw new StoreException(failure, e);
    }
  }
}
