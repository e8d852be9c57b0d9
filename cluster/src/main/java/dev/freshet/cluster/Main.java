package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.persistence.JdbcApiKeys;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one Freshet node and tells the operator where to look. Ctrl-C stops it cleanly. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // before the first logger: logback's start-up initialises ForkJoinPool, and the JDK reads the
    // common pool's size once, then (so no static logger in this class)
    CommonPool.atLeastTwoThreads();
    Logger log = LoggerFactory.getLogger(Main.class);
    CommonPool.report(log);
    // A node the split-brain resolver downs (or that leaves) ends its process, so that its
    // supervisor (Kubernetes, systemd) starts a fresh one that joins again; only here, not in
    // application.conf: tools that run a node inside their own JVM (evaluate) go on after stopping
    // it.
    Config config =
        ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")
            .withFallback(ConfigFactory.load());
    FreshetNode node;
    try {
      node = FreshetNode.start(config, Optional.empty());
    } catch (RuntimeException e) {
      log.error("Freshet failed to start", e);
      System.exit(1);
      return;
    }
    String base = "http://localhost:" + node.httpPort();
    FreshetSettings settings = FreshetSettings.fromConfig(config);
    String storage =
        config.getString("freshet.db.url").isBlank()
            ? "embedded PostgreSQL, data in "
                + settings.dataDir().resolve("postgres").toAbsolutePath()
            : "PostgreSQL at " + config.getString("freshet.db.url");
    System.out.println();
    System.out.println(
        "Freshet is running ("
            + node.catalog().snapshot().size()
            + " catalog items, "
            + storage
            + ")");
    System.out.println(
        "  API          " + base + "/v1/   (see shared API.md; README has a curl walk-through)");
    System.out.println("  an item      " + base + "/v1/items/demo-0");
    System.out.println(
        "  recommend    " + base + "/v1/users/alice/recommendations?k=10&explain=true");
    System.out.println("  health       " + base + "/health/ready");
    System.out.println(
        "  dashboard    "
            + base
            + "/admin/   (sign in with the admin key below; live feed included)");
    System.out.println(
        "  browser SDK  "
            + base
            + "/sdk/freshet.js   (or /sdk/freshet.mjs; see http/src/main/resources/sdk/README.md)");
    if (settings.managementEnabled()) {
      System.out.println(
          "  management   http://localhost:"
              + config.getInt("pekko.management.http.port")
              + "/ready  (cluster: /cluster/members)");
    }
    if (config.getBoolean("freshet.auth.enabled") && config.getString("freshet.db.url").isBlank()) {
      // single-node demo: fresh keys at every start, so that the walk-through works at once
      JdbcApiKeys keys = new JdbcApiKeys(node.database().dataSource());
      String today = LocalDate.now().toString();
      System.out.println(
          "  ingest key   "
              + keys.create("demo ingest " + today, List.of("ingest")).secret()
              + "   (browser-safe)");
      System.out.println(
          "  admin key    " + keys.create("demo admin " + today, List.of("admin")).secret());
      System.out.println(
          "               send as: Authorization: Bearer <key>; manage with bin/freshet keys list|create|revoke");
    }
    System.out.println("Press Ctrl-C to stop.");
    System.out.println();
  }
}
