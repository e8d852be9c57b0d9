package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.persistence.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;

/** Real nodes for tests: port 0 everywhere, no management server, no demo catalog unless asked. */
public final class TestNodes {
  private TestNodes() {}

  public static Config config(Map<String, Object> overrides) {
    Map<String, Object> values = new HashMap<>();
    values.put("freshet.http.host", "127.0.0.1");
    values.put("freshet.http.port", 0);
    values.put("freshet.http.internal.port", 0);
    values.put("pekko.remote.artery.canonical.port", 0);
    values.put("freshet.management.enabled", false);
    values.put("freshet.demo-catalog.enabled", false);
    values.put("freshet.catalog.refresh-interval", "500ms");
    values.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    // every test node stops, and each singleton on it (sharding's coordinators are singletons too,
    // with
    // their own copies of the setting) retries its hand-over on leaving once a second: a second of
    // every
    // stop, with nobody to hand over to. (Faster leader ticks and gossip saved little more; with
    // them a
    // two-node test once timed out on sharding's first coordinator update while the second node
    // joined.)
    for (String singleton :
        List.of(
            "pekko.cluster.singleton",
            "pekko.cluster.sharding.coordinator-singleton",
            "pekko.cluster.sharded-daemon-process.sharding.coordinator-singleton")) {
      values.put(singleton + ".hand-over-retry-interval", "100ms");
    }
    // exploration drawn from the ranking's inputs, not its random id: a ranking repeats from run to
    // run
    values.put("freshet.ranking.exploration.seed", 13);
    // tests of other features call the API without keys and faster than the limits allow;
    // EdgeSecurityTest and friends turn both on
    values.put("freshet.auth.enabled", "off");
    values.put("freshet.limits.enabled", "off");
    values.putAll(overrides);
    return ConfigFactory.parseMap(values).withFallback(ConfigFactory.load());
  }

  /** A node on its own fresh PostgreSQL, with {@code overrides}; closing stops both. */
  public record Standalone(EmbeddedDatabase db, FreshetNode node, Api api)
      implements AutoCloseable {
    @Override
    public void close() {
      node.stop();
      db.close();
    }
  }

  public static Standalone standalone(Map<String, Object> overrides) {
    EmbeddedDatabase db = database();
    Map<String, Object> values = new HashMap<>(overrides);
    values.put("freshet.db.url", db.jdbcUrl());
    FreshetNode node = FreshetNode.start(config(values), Optional.empty());
    return new Standalone(db, node, new Api(node));
  }

  /** A node on an already running (shared) PostgreSQL. */
  static FreshetNode onDatabase(EmbeddedDatabase db, Optional<Address> seed) {
    return onDatabase(db, seed, Map.of());
  }

  /** A node on an already running (shared) PostgreSQL, with {@code overrides}. */
  static FreshetNode onDatabase(
      EmbeddedDatabase db, Optional<Address> seed, Map<String, Object> overrides) {
    Map<String, Object> values = new HashMap<>(overrides);
    values.put("freshet.db.url", db.jdbcUrl());
    values.put("freshet.db.user", "postgres");
    values.put("freshet.db.password", "");
    return FreshetNode.start(config(values), seed);
  }

  public static EmbeddedDatabase database() {
    try {
      // a port below the ephemeral range: one picked there (port 0) can be taken by an outgoing
      // connection before PostgreSQL binds it, with three test JVMs and their nodes busy
      return EmbeddedDatabase.start(Files.createTempDirectory("freshet-test-pg"), freePort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free port for a listener whose number must be known before it binds (a node's management
   * endpoint listed in FRESHET_SEED_NODES, the ports of a node process). Below Linux's ephemeral
   * range (32768–60999), where the port-0 listeners of test classes running in other JVMs never
   * land between our choice and the bind, and never the same port twice in this JVM.
   */
  public static int freePort() {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      if (HANDED_OUT.contains(port)) continue;
      try (java.net.ServerSocket s =
          new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(port)) return port;
      } catch (IOException taken) {
        // in use: another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
