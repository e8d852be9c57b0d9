package dev.freshet.bench.baseline;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The naive design's SQL, nothing more: every request is one statement on a pooled, auto-committed
 * connection (so a 2xx means the transaction committed, with whatever {@code fsync} and {@code
 * synchronous_commit} the server runs). Its tables live in their own schema, so it can share a
 * PostgreSQL database with a Freshet node without touching the node's tables.
 */
final class BaselineStore implements AutoCloseable {

  /** {@code INSERT … SELECT unnest … ON CONFLICT DO NOTHING}: one statement per batch. */
  static final String INSERT_IMPRESSIONS =
      "INSERT INTO seen (user_id, item_id) SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING";

  /** Top-k active items by popularity that the user has no impression of: one query. */
  static final String TOP_K_UNSEEN =
      "SELECT i.id, i.popularity FROM items i WHERE i.status = 'active' AND NOT EXISTS "
          + "(SELECT 1 FROM seen s WHERE s.user_id = ? AND s.item_id = i.id) "
          + "ORDER BY i.popularity DESC, i.id LIMIT ?";

  static final String UPSERT_ITEMS =
      "INSERT INTO items (id, category, status, popularity, created_at) "
          + "SELECT id, category, status, popularity, to_timestamp(created_ms / 1000.0) "
          + "FROM unnest(?::text[], ?::text[], ?::text[], ?::float8[], ?::int8[]) "
          + "AS t(id, category, status, popularity, created_ms) "
          + "ON CONFLICT (id) DO UPDATE SET category = excluded.category, status = excluded.status, "
          + "popularity = excluded.popularity, created_at = excluded.created_at";

  /** Events are kept (the setup's /state check counts them) but do not change the ranking. */
  static final String INSERT_EVENTS =
      "WITH e AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], "
          + "?::text[]) AS t(user_id, item_id, type, ts_ms, value, intent)), "
          + "logged AS (INSERT INTO events (user_id, item_id, type, ts, value, intent) "
          + "SELECT user_id, item_id, type, to_timestamp(ts_ms / 1000.0), value, intent FROM e) "
          + "INSERT INTO seen (user_id, item_id) SELECT user_id, item_id FROM e "
          + "WHERE type = 'impression' AND item_id IS NOT NULL ON CONFLICT DO NOTHING";

  static List<String> schema(String schema) {
    String s = quote(schema);
    return List.of(
        "CREATE SCHEMA IF NOT EXISTS " + s,
        "CREATE TABLE IF NOT EXISTS "
            + s
            + ".items (id text PRIMARY KEY, category text NOT NULL, "
            + "status text NOT NULL DEFAULT 'active', popularity double precision NOT NULL DEFAULT 0, "
            + "created_at timestamptz NOT NULL DEFAULT now())",
        "CREATE INDEX IF NOT EXISTS items_by_popularity ON "
            + s
            + ".items (popularity DESC, id) WHERE status = 'active'",
        "CREATE TABLE IF NOT EXISTS "
            + s
            + ".seen (user_id text NOT NULL, item_id text NOT NULL, PRIMARY KEY (user_id, item_id))",
        "CREATE TABLE IF NOT EXISTS "
            + s
            + ".events (user_id text NOT NULL, item_id text, type text NOT NULL, "
            + "ts timestamptz NOT NULL, value bigint, intent text)",
        "CREATE INDEX IF NOT EXISTS events_by_user ON " + s + ".events (user_id)");
  }

  /** One catalog item as the baseline keeps it. */
  record Item(String id, String category, String status, double popularity, long createdAtMillis) {}

  /** One event as the baseline keeps it; {@code itemId}, {@code value}, {@code intent} optional. */
  record Event(
      String userId, String itemId, String type, long tsMillis, Long value, String intent) {}

  /** What {@code /state} reports. */
  record UserState(long seen, long poolSize, long unseen, Map<String, Long> interactions) {}

  private final HikariDataSource pool;

  BaselineStore(String url, String user, String password, String schema, int poolSize)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement st = c.createStatement()) {
      for (String ddl : schema(schema)) {
        st.execute(ddl);
      }
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setSchema(schema);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(poolSize);
    config.setAutoCommit(true);
    config.setPoolName("baseline");
    this.pool = new HikariDataSource(config);
  }

  /** Returns the number of first-time impressions (rows inserted). */
  int recordImpressions(String userId, List<String> itemIds) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(INSERT_IMPRESSIONS)) {
      ps.setString(1, userId);
      ps.setArray(2, c.createArrayOf("text", itemIds.toArray()));
      return ps.executeUpdate();
    }
  }

  /** The ranking: ids and popularity, most popular first. */
  List<Map.Entry<String, Double>> topUnseen(String userId, int k) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(TOP_K_UNSEEN)) {
      ps.setString(1, userId);
      ps.setInt(2, k);
      List<Map.Entry<String, Double>> out = new ArrayList<>(k);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Map.entry(rs.getString(1), rs.getDouble(2)));
        }
      }
      return out;
    }
  }

  int upsertItems(List<Item> items) throws SQLException {
    int n = items.size();
    String[] ids = new String[n];
    String[] categories = new String[n];
    String[] statuses = new String[n];
    Double[] popularity = new Double[n];
    Long[] created = new Long[n];
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      ids[i] = item.id();
      categories[i] = item.category();
      statuses[i] = item.status();
      popularity[i] = item.popularity();
      created[i] = item.createdAtMillis();
    }
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(UPSERT_ITEMS)) {
      ps.setArray(1, c.createArrayOf("text", ids));
      ps.setArray(2, c.createArrayOf("text", categories));
      ps.setArray(3, c.createArrayOf("text", statuses));
      ps.setArray(4, c.createArrayOf("float8", popularity));
      ps.setArray(5, c.createArrayOf("int8", created));
      ps.executeUpdate();
      return n;
    }
  }

  void recordEvents(List<Event> events) throws SQLException {
    int n = events.size();
    String[] users = new String[n];
    String[] items = new String[n];
    String[] types = new String[n];
    Long[] ts = new Long[n];
    Long[] values = new Long[n];
    String[] intents = new String[n];
    for (int i = 0; i < n; i++) {
      Event e = events.get(i);
      users[i] = e.userId();
      items[i] = e.itemId();
      types[i] = e.type();
      ts[i] = e.tsMillis();
      values[i] = e.value();
      intents[i] = e.intent();
    }
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(INSERT_EVENTS)) {
      Array[] arrays = {
        c.createArrayOf("text", users),
        c.createArrayOf("text", items),
        c.createArrayOf("text", types),
        c.createArrayOf("int8", ts),
        c.createArrayOf("int8", values),
        c.createArrayOf("text", intents)
      };
      for (int i = 0; i < arrays.length; i++) {
        ps.setArray(i + 1, arrays[i]);
      }
      ps.executeUpdate();
    }
  }

  Optional<Item> item(String id) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, category, status, popularity, "
                    + "(extract(epoch FROM created_at) * 1000)::int8 FROM items WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Item(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getDouble(4), rs.getLong(5)));
      }
    }
  }

  UserState state(String userId) throws SQLException {
    try (Connection c = pool.getConnection()) {
      long seen;
      long pool;
      long unseen;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT (SELECT count(*) FROM seen WHERE user_id = ?), "
                  + "(SELECT count(*) FROM items WHERE status = 'active'), "
                  + "(SELECT count(*) FROM items i WHERE i.status = 'active' AND NOT EXISTS "
                  + "(SELECT 1 FROM seen s WHERE s.user_id = ? AND s.item_id = i.id))")) {
        ps.setString(1, userId);
        ps.setString(2, userId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          seen = rs.getLong(1);
          pool = rs.getLong(2);
          unseen = rs.getLong(3);
        }
      }
      Map<String, Long> interactions = new LinkedHashMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT type, count(*) FROM events WHERE user_id = ? GROUP BY type ORDER BY type")) {
        ps.setString(1, userId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            interactions.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      return new UserState(seen, pool, unseen, interactions);
    }
  }

  /** {@code SHOW server_version} of the PostgreSQL it uses. */
  String serverVersion() throws SQLException {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  boolean ready() {
    try (Connection c = pool.getConnection();
        Statement st = c.createStatement()) {
      st.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public void close() {
    pool.close();
  }
}
