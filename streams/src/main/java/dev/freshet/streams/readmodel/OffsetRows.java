package dev.freshet.streams.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The {@code read_model_offsets} row of a pipeline, which starts at 0 the first time it runs. */
final class OffsetRows {

  private OffsetRows() {}

  static void ensure(Connection c, String projection, String tag) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO read_model_offsets (projection, tag, ordering, updated_at) VALUES (?, ?, 0, now()) ON CONFLICT DO NOTHING")) {
      ps.setString(1, projection);
      ps.setString(2, tag);
      ps.executeUpdate();
    }
  }
}
