package dev.freshet.persistence;

import dev.freshet.actors.catalog.CatalogStore;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The catalog in PostgreSQL. Upserts of all nodes are serialized by a transaction-scoped advisory
 * lock, which gives two guarantees cheaply: dense ids are handed out without gaps or races, and
 * change versions become visible in the order they were taken, so "changes since version v" never
 * skips a change that commits late.
 */
public final class JdbcCatalogStore implements CatalogStore {

  private static final long CATALOG_LOCK = 0x46524553_48455401L; // "FRESHET" + 1

  private static final String UPSERT =
      """
      INSERT INTO items (id, dense_id, category, tags, status, created_at, popularity, embedding,
                         attributes, version, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, nextval('item_version_seq'), now())
      ON CONFLICT (id) DO UPDATE SET
        category = EXCLUDED.category, tags = EXCLUDED.tags, status = EXCLUDED.status,
        created_at = EXCLUDED.created_at, popularity = EXCLUDED.popularity,
        embedding = EXCLUDED.embedding, attributes = EXCLUDED.attributes,
        version = EXCLUDED.version, updated_at = now()
      """;

  private static final String SELECT_COLUMNS =
      "SELECT id, dense_id, category, tags, status, created_at, popularity, embedding, attributes::text, version FROM items";

  private final DataSource dataSource;
  private final String changedBy;

  /**
   * @param changedBy recorded in the status history as who made a change (e.g. "api")
   */
  public JdbcCatalogStore(DataSource dataSource, String changedBy) {
    this.dataSource = dataSource;
    this.changedBy = changedBy;
  }

  @Override
  public List<Item> upsert(List<ItemUpsert> items) {
    // the last occurrence of an id in one request wins
    Map<String, ItemUpsert> byId = new LinkedHashMap<>();
    for (ItemUpsert item : items) byId.put(item.id(), item);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Item> stored = upsertLocked(c, byId);
        c.commit();
        return stored;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("Catalog upsert failed", e);
    }
  }

  private List<Item> upsertLocked(Connection c, Map<String, ItemUpsert> byId) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      lock.setLong(1, CATALOG_LOCK);
      lock.execute();
    }
    Map<String, Integer> denseIds = new HashMap<>();
    Map<String, String> previousStatus = new HashMap<>();
    try (PreparedStatement existing =
        c.prepareStatement("SELECT id, dense_id, status FROM items WHERE id = ANY(?)")) {
      existing.setArray(1, c.createArrayOf("varchar", byId.keySet().toArray()));
      try (ResultSet rs = existing.executeQuery()) {
        while (rs.next()) {
          denseIds.put(rs.getString(1), rs.getInt(2));
          previousStatus.put(rs.getString(1), rs.getString(3));
        }
      }
    }
    int next;
    try (PreparedStatement max =
            c.prepareStatement("SELECT COALESCE(MAX(dense_id) + 1, 0) FROM items");
        ResultSet rs = max.executeQuery()) {
      rs.next();
      next = rs.getInt(1);
    }
    List<Item> stored = new ArrayList<>(byId.size());
    try (PreparedStatement upsert = c.prepareStatement(UPSERT);
        PreparedStatement history =
            c.prepareStatement(
                "INSERT INTO item_status_history (item_id, status, changed_by, reason) VALUES (?, ?, ?, ?)")) {
      for (ItemUpsert item : byId.values()) {
        Integer dense = denseIds.get(item.id());
        if (dense == null) dense = next++;
        upsert.setString(1, item.id());
        upsert.setInt(2, dense);
        upsert.setString(3, item.category());
        upsert.setArray(4, c.createArrayOf("text", item.tags().toArray()));
        upsert.setString(5, item.status().wire());
        upsert.setTimestamp(6, new Timestamp(item.createdAtMillis()));
        upsert.setDouble(7, item.popularity());
        if (item.embedding() == null) {
          upsert.setNull(8, Types.ARRAY);
        } else {
          upsert.setArray(8, c.createArrayOf("float4", boxed(item.embedding())));
        }
        upsert.setString(9, item.attributesJson());
        upsert.addBatch();
        String before = previousStatus.get(item.id());
        if (!item.status().wire().equals(before)) {
          history.setString(1, item.id());
          history.setString(2, item.status().wire());
          history.setString(3, changedBy);
          history.setString(4, before == null ? "created" : "status changed from " + before);
          history.addBatch();
        }
        stored.add(item.stored(dense));
      }
      upsert.executeBatch();
      history.executeBatch();
    }
    return stored;
  }

  @Override
  public CatalogChanges changesSince(long version) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q =
            c.prepareStatement(SELECT_COLUMNS + " WHERE version > ? ORDER BY version")) {
      q.setLong(1, version);
      q.setFetchSize(1_000);
      List<Item> items = new ArrayList<>();
      long max = version;
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          items.add(read(rs));
          max = Math.max(max, rs.getLong(10));
        }
      }
      return new CatalogChanges(items, max);
    } catch (SQLException e) {
      throw new StoreException("Catalog read failed", e);
    }
  }

  /** Number of items in the catalog, whatever their status. */
  public int count() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement q = c.prepareStatement("SELECT count(*) FROM items");
        ResultSet rs = q.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new StoreException("Catalog count failed", e);
    }
  }

  private static Item read(ResultSet rs) throws SQLException {
    String[] tags = (String[]) rs.getArray(4).getArray();
    Array embeddingArray = rs.getArray(8);
    float[] embedding = null;
    if (embeddingArray != null) {
      Object[] values = (Object[]) embeddingArray.getArray();
      embedding = new float[values.length];
      for (int i = 0; i < values.length; i++) embedding[i] = ((Number) values[i]).floatValue();
    }
    return new Item(
        rs.getString(1),
        rs.getInt(2),
        rs.getString(3),
        List.of(tags),
        rs.getTimestamp(6).getTime(),
        ItemStatus.fromWire(rs.getString(5)).orElseThrow(),
        rs.getDouble(7),
        embedding,
        rs.getString(9));
  }

  private static Float[] boxed(float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) boxed[i] = values[i];
    return boxed;
  }
}
