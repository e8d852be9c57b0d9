package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the read-model tables straight from PostgreSQL, the way an analyst would. */
final class ReadModelTables {

  private final String jdbcUrl;

  ReadModelTables(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, "postgres", "");
  }

  /** Rows of a query, each as its columns joined by '|'. */
  List<String> rows(String sql) {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          if (i > 1) row.append('|');
          row.append(rs.getString(i));
        }
        rows.add(row.toString());
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** A statement that changes the tables, as another writer would. */
  void execute(String sql) {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  long count(String sql) {
    return Long.parseLong(rows(sql).get(0));
  }

  /**
   * Per projection and tag, the committed offset and the last tagged journal event; equal for every
   * projection once the read models have caught up with the journal.
   */
  Map<String, long[]> standing() {
    Map<String, long[]> standing = new TreeMap<>();
    for (String row :
        rows(
            "SELECT o.projection, o.tag, o.ordering, COALESCE((SELECT max(event_id) FROM event_tag t WHERE t.tag = o.tag), 0) "
                + "FROM read_model_offsets o WHERE o.tag LIKE 'user-%'")) {
      String[] f = row.split("\\|");
      standing.put(f[0] + "/" + f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
    }
    return standing;
  }

  boolean caughtUp(int projections, int tags) {
    Map<String, long[]> standing = standing();
    return standing.size() == projections * tags
        && standing.values().stream().allMatch(s -> s[0] >= s[1]);
  }

  void awaitCaughtUp(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!caughtUp(2, 4)) {
      if (System.nanoTime() > deadline) {
        Map<String, String> shown = new TreeMap<>();
        standing().forEach((k, v) -> shown.put(k, v[0] + "/" + v[1]));
        assertThat(shown)
            .as("read models caught up with the journal (offset/last event)")
            .isEmpty();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
