package dev.freshet.http.edge;

import com.typesafe.config.Config;
import dev.freshet.persistence.Hashes;
import dev.freshet.persistence.JdbcApiKeys;
import dev.freshet.persistence.PgListener;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys for the edge: checks a presented key against PostgreSQL and keeps the answer for a
 * while, so that the ranking path does not query the database per request. Revocation must bite at
 * once on every node, so each node listens to the revocation channel ({@link JdbcApiKeys#CHANNEL})
 * and drops the key from its cache as soon as the revoking transaction commits, wherever it ran (an
 * admin route on any node, or {@code bin/freshet keys revoke}).
 */
public final class ApiKeys implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

  /** The id under which {@code FRESHET_ADMIN_KEY} is stored. */
  public static final String SEEDED_ADMIN_ID = "key_env_admin";

  /** A valid key as the edge knows it. */
  public record ApiKey(String id, String name, Set<Scope> scopes) {
    /**
     * Admin keys may do everything on the public API; other keys what their scopes say. The
     * internal API needs the {@code internal} scope itself: an admin key does not reach it.
     */
    public boolean allows(Scope scope) {
      return scopes.contains(scope) || (scope != Scope.INTERNAL && scopes.contains(Scope.ADMIN));
    }
  }

  public record Settings(
      boolean enabled, String adminKey, Duration cacheTtl, boolean publicMetrics) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.auth");
      return new Settings(
          c.getBoolean("enabled"),
          c.getString("admin-key"),
          c.getDuration("cache-ttl"),
          c.getBoolean("public-metrics"));
    }
  }

  private record Cached(ApiKey key, long loadedAt) {}

  private final JdbcApiKeys store;
  private final Executor blocking;
  private final Settings settings;

  /** By the key's SHA-256, never by the key itself. */
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  private final PgListener revocations;

  private ApiKeys(DataSource dataSource, Executor blocking, Settings settings) {
    this.store = new JdbcApiKeys(dataSource);
    this.blocking = blocking;
    this.settings = settings;
    this.revocations =
        PgListener.start(dataSource, JdbcApiKeys.CHANNEL, this::forget, cache::clear);
  }

  /** Starts listening for revocations and stores {@code FRESHET_ADMIN_KEY} if it is set. */
  public static ApiKeys start(DataSource dataSource, Executor blocking, Settings settings) {
    ApiKeys keys = new ApiKeys(dataSource, blocking, settings);
    if (!settings.adminKey().isBlank()) {
      keys.store.seed(
          SEEDED_ADMIN_ID,
          "FRESHET_ADMIN_KEY",
          List.of(Scope.ADMIN.wireName()),
          settings.adminKey());
      log.info("Admin key from FRESHET_ADMIN_KEY stored (id {})", SEEDED_ADMIN_ID);
    }
    return keys;
  }

  public Settings settings() {
    return settings;
  }

  public JdbcApiKeys store() {
    return store;
  }

  /** The active key {@code presented} is, if any. */
  public CompletionStage<Optional<ApiKey>> authenticate(String presented) {
    String hash = Hashes.sha256(presented);
    Cached cached = cache.get(hash);
    if (cached != null && System.nanoTime() - cached.loadedAt() < settings.cacheTtl().toNanos()) {
      return CompletableFuture.completedFuture(Optional.of(cached.key()));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          Optional<ApiKey> key = store.findActiveByHash(hash).map(ApiKeys::toKey);
          key.ifPresentOrElse(
              k -> cache.put(hash, new Cached(k, System.nanoTime())), () -> cache.remove(hash));
          return key;
        },
        blocking);
  }

  /** Revokes key {@code id} everywhere; empty if there is no such key. */
  public Optional<JdbcApiKeys.StoredKey> revoke(String id) {
    Optional<JdbcApiKeys.StoredKey> revoked = store.revoke(id);
    forget(id); // the notification will say the same; this node need not wait for it
    return revoked;
  }

  private void forget(String keyId) {
    cache.values().removeIf(c -> c.key().id().equals(keyId));
  }

  static ApiKey toKey(JdbcApiKeys.StoredKey stored) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String s : stored.scopes()) scopes.add(Scope.parse(s, "scopes"));
    return new ApiKey(stored.id(), stored.name(), scopes);
  }

  @Override
  public void close() {
    revocations.close();
  }
}
