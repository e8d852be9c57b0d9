package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a node finds its cluster ({@code freshet.cluster}): on its own (one node), among the nodes
 * listed in {@code FRESHET_SEED_NODES}, or among the pods Kubernetes' API lists ({@code
 * FRESHET_DISCOVERY=kubernetes-api}).
 *
 * <p>Both ways to form a cluster of many go through Pekko Cluster Bootstrap, never through Pekko's
 * static {@code seed-nodes}: with static seed nodes the first seed joins itself when the others do
 * not answer within {@code seed-node-timeout}, so a first seed restarted under load formed a second
 * cluster (a split brain: the same users' entities in both). Bootstrap joins whichever listed node
 * already is in a cluster, and only the node with the lowest address forms a new one, and only once
 * every listed node has answered that it is in none ({@code contact-with-all-contact-points}).
 */
public record ClusterFormation(
    Mode mode, List<ContactPoint> seedNodes, List<String> roles, int requiredContactPoints) {

  /** The role of the nodes that host users, singletons and pipelines (proxies lack it). */
  public static final String SERVE_ROLE = "serve";

  /** The discovery service name: pods labelled {@code app=freshet}, config endpoints below. */
  static final String SERVICE_NAME = "freshet";

  public enum Mode {
    /** A cluster of its own: the single-node default. */
    SELF,
    /** Cluster Bootstrap over the management endpoints listed in {@code FRESHET_SEED_NODES}. */
    SEED_NODES,
    /** Cluster Bootstrap over the pods the Kubernetes API lists. */
    KUBERNETES
  }

  /** A node's Pekko Management endpoint, as that node binds it. */
  public record ContactPoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public static ClusterFormation fromConfig(Config config) {
    Config c = config.getConfig("freshet.cluster");
    List<ContactPoint> seeds = parseSeedNodes(c.getString("seed-nodes"));
    String discovery = c.getString("discovery").trim();
    List<String> roles = parseRoles(c.getString("roles"));
    int required = c.getInt("required-contact-points");
    if (required < 1) {
      throw new IllegalArgumentException(
          "freshet.cluster.required-contact-points (FRESHET_REQUIRED_CONTACT_POINTS) must be at"
              + " least 1, was "
              + required);
    }
    if (!config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      throw new IllegalArgumentException(
          "pekko.cluster.seed-nodes is not supported: static seed nodes let a restarted first seed"
              + " form a second cluster. List the nodes' management endpoints in"
              + " FRESHET_SEED_NODES (freshet.cluster.seed-nodes) instead");
    }
    Mode mode;
    if (discovery.isEmpty()) {
      mode = seeds.isEmpty() ? Mode.SELF : Mode.SEED_NODES;
    } else if (discovery.equals("kubernetes-api")) {
      if (!seeds.isEmpty()) {
        throw new IllegalArgumentException(
            "FRESHET_SEED_NODES and FRESHET_DISCOVERY=kubernetes-api are exclusive: set one");
      }
      mode = Mode.KUBERNETES;
    } else {
      throw new IllegalArgumentException(
          "freshet.cluster.discovery (FRESHET_DISCOVERY) must be empty or kubernetes-api, was '"
              + discovery
              + "'");
    }
    return new ClusterFormation(
        mode, seeds, roles, mode == Mode.SEED_NODES ? seeds.size() : required);
  }

  /**
   * {@code host:port,host:port}: the management endpoints of the nodes that may form the cluster,
   * each exactly as that node binds it ({@code FRESHET_MANAGEMENT_HOST}, {@code
   * FRESHET_MANAGEMENT_PORT}).
   */
  static List<ContactPoint> parseSeedNodes(String value) {
    List<ContactPoint> points = new ArrayList<>();
    for (String raw : value.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) continue;
      int colon = entry.lastIndexOf(':');
      if (entry.contains("://") || colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException(
            "FRESHET_SEED_NODES (freshet.cluster.seed-nodes) lists management endpoints as"
                + " host:port separated by commas (e.g. 10.0.0.1:7626,10.0.0.2:7626), not '"
                + entry
                + "'");
      }
      int port;
      try {
        port = Integer.parseInt(entry.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "FRESHET_SEED_NODES (freshet.cluster.seed-nodes): '"
                + entry
                + "' has no port between 1 and 65535");
      }
      ContactPoint point = new ContactPoint(entry.substring(0, colon), port);
      if (!points.contains(point)) points.add(point);
    }
    return List.copyOf(points);
  }

  static List<String> parseRoles(String value) {
    List<String> roles =
        Arrays.stream(value.split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList();
    if (!roles.contains(SERVE_ROLE)) {
      throw new IllegalArgumentException(
          "freshet.cluster.roles (FRESHET_ROLES) must include '"
              + SERVE_ROLE
              + "' (the role of the nodes that host users), was '"
              + value
              + "'");
    }
    return roles;
  }

  /** Whether the node starts Cluster Bootstrap (and with it Pekko Management, which it needs). */
  public boolean bootstraps() {
    return mode != Mode.SELF;
  }

  /** The Pekko settings this formation implies, to put before the node's own configuration. */
  public Config pekkoConfig() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("pekko.cluster.roles", roles);
    String bootstrap = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    switch (mode) {
      case SELF -> {}
      case SEED_NODES -> {
        List<Map<String, Object>> endpoints = new ArrayList<>();
        for (ContactPoint p : seedNodes) endpoints.add(Map.of("host", p.host(), "port", p.port()));
        values.put("pekko.discovery.config.services." + SERVICE_NAME + ".endpoints", endpoints);
        values.put(bootstrap + "discovery-method", "config");
        values.put(bootstrap + "service-name", SERVICE_NAME);
        values.put(bootstrap + "required-contact-point-nr", requiredContactPoints);
        // nodes on one machine differ by port: keep them all
        values.put(
            "pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port", false);
      }
      case KUBERNETES -> {
        values.put(bootstrap + "discovery-method", "kubernetes-api");
        values.put(bootstrap + "service-name", SERVICE_NAME);
        values.put(bootstrap + "port-name", "management");
        values.put(bootstrap + "required-contact-point-nr", requiredContactPoints);
        // probe pods by IP: pod DNS records are optional in a cluster
        values.put("pekko.discovery.kubernetes-api.use-raw-ip", true);
      }
    }
    if (bootstraps()) values.put(bootstrap + "contact-with-all-contact-points", true);
    return ConfigFactory.parseMap(values, "freshet.cluster (ClusterFormation)");
  }
}
