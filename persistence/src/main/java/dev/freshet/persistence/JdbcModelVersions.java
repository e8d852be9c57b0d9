package dev.freshet.persistence;

import dev.freshet.actors.learning.ModelVersions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** {@code model_versions}: trained models and their evaluations (migrations V12, V13). */
public final class JdbcModelVersions implements ModelVersions {

  private static final String COLUMNS =
      "version, trained_at, algorithm, params, ndcg, recall, popularity_ndcg, evaluated_users, k,"
          + " users, items, factors, promoted, note";

  private final DataSource dataSource;

  public JdbcModelVersions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public long record(Version v) {
    long rows = v.itemIds().length > 0 ? v.itemIds().length : v.items();
    if (v.itemFactors().length != rows * v.factors())
      throw new IllegalArgumentException(
          "item factors must hold factors floats for each item (or each of itemIds)");
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO model_versions (trained_at, algorithm, params, ndcg, recall,"
                    + " popularity_ndcg, evaluated_users, k, users, items, factors, item_factors,"
                    + " note, item_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " RETURNING version")) {
      insert.setTimestamp(1, Timestamp.from(v.trainedAt()));
      insert.setString(2, v.algorithm());
      insert.setString(3, v.params());
      insert.setDouble(4, v.evaluation().ndcg());
      insert.setDouble(5, v.evaluation().recall());
      insert.setDouble(6, v.evaluation().popularityNdcg());
      insert.setInt(7, v.evaluation().users());
      insert.setInt(8, v.evaluation().k());
      insert.setInt(9, v.users());
      insert.setInt(10, v.items());
      insert.setInt(11, v.factors());
      insert.setBytes(12, bytes(v.itemFactors()));
      insert.setString(13, v.note());
      insert.setBytes(14, v.itemIds().length == 0 ? null : bytes(v.itemIds()));
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new StoreException("Recording a model version failed", e);
    }
  }

  @Override
  public void promote(long version) {
    Transactions.inTransaction(
        dataSource,
        "Promoting model version " + version + " failed",
        c -> {
          try (PreparedStatement clear =
                  c.prepareStatement("UPDATE model_versions SET promoted = false WHERE promoted");
              PreparedStatement set =
                  c.prepareStatement(
                      "UPDATE model_versions SET promoted = true WHERE version = ?")) {
            clear.executeUpdate();
            set.setLong(1, version);
            if (set.executeUpdate() != 1)
              throw new IllegalArgumentException("no model version " + version);
          }
          return null;
        });
  }

  @Override
  public Optional<Version> serving() {
    return withFactors("WHERE promoted", null, "Reading the serving model failed");
  }

  @Override
  public Optional<Version> find(long version) {
    return withFactors(
        "WHERE version = ?", version, "Reading model version " + version + " failed");
  }

  @Override
  public java.util.OptionalLong servingVersion() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT version FROM model_versions WHERE promoted")) {
      try (ResultSet rs = select.executeQuery()) {
        return rs.next()
            ? java.util.OptionalLong.of(rs.getLong(1))
            : java.util.OptionalLong.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("Reading the serving model's version failed", e);
    }
  }

  /** The one version {@code where} selects (with {@code version} as its parameter, if any). */
  private Optional<Version> withFactors(String where, Long version, String failure) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT " + COLUMNS + ", item_factors, item_ids FROM model_versions " + where)) {
      if (version != null) select.setLong(1, version);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next()
            ? Optional.of(
                version(rs, floats(rs.getBytes("item_factors")), ints(rs.getBytes("item_ids"))))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException(failure, e);
    }
  }

  @Override
  public List<Version> latest(int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT " + COLUMNS + " FROM model_versions ORDER BY version DESC LIMIT ?")) {
      select.setInt(1, Math.max(0, limit));
      List<Version> out = new ArrayList<>();
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) out.add(version(rs, new float[0], new int[0]));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("Listing model versions failed", e);
    }
  }

  private static Version version(ResultSet rs, float[] factors, int[] itemIds) throws SQLException {
    return new Version(
        rs.getLong("version"),
        rs.getTimestamp("trained_at").toInstant(),
        rs.getString("algorithm"),
        rs.getString("params"),
        new Evaluation(
            rs.getDouble("ndcg"),
            rs.getDouble("recall"),
            rs.getDouble("popularity_ndcg"),
            rs.getInt("evaluated_users"),
            rs.getInt("k")),
        rs.getInt("users"),
        rs.getInt("items"),
        rs.getInt("factors"),
        factors,
        itemIds,
        rs.getBoolean("promoted"),
        rs.getString("note"));
  }

  static byte[] bytes(float[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer.array();
  }

  static byte[] bytes(int[] values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asIntBuffer().put(values);
    return buffer.array();
  }

  /** Ints from {@link #bytes(int[])}; none for NULL. */
  static int[] ints(byte[] bytes) {
    if (bytes == null) return new int[0];
    int[] out = new int[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
    return out;
  }

  static float[] floats(byte[] bytes) {
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
