package dev.freshet.http.edge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every route of the edge, in one table per API: {@link #ALL} for the public API, {@link #INTERNAL}
 * for the internal one on its own listener. The edge admits a request only if it matches an entry
 * here (fail closed: a route missing from this table cannot be reached); the entry gives the scope
 * a key needs, the route label of the request metrics and the paths of the OpenAPI document.
 */
public final class Endpoints {

  private static final Scope PUBLIC = null;

  /**
   * The routes a page's {@code navigator.sendBeacon} posts to: it can set no header, so these take
   * the key and the Idempotency-Key from the query as well.
   */
  public static final Set<String> BEACON_PATHS = Set.of("/v1/impressions", "/v1/events");

  /**
   * The admin feed's WebSocket: a browser sends the admin key in its first message rather than in
   * the URL, so the edge lets an upgrade without a key through and the route asks for it.
   */
  public static final String FEED = "/v1/admin/feed";

  public static final List<Endpoint> ALL =
      List.of(
          // catalog
          new Endpoint("POST", "/v1/items", Scope.ADMIN, "Upsert up to 1,000 catalog items"),
          new Endpoint(
              "GET", "/v1/items/popular", Scope.RANK, "Most popular active items (non-personal)"),
          new Endpoint("GET", "/v1/items/latest", Scope.RANK, "Newest active items (non-personal)"),
          new Endpoint("GET", "/v1/items/{itemId}", Scope.RANK, "One catalog item"),
          new Endpoint(
              "GET",
              "/v1/items/{itemId}/similar",
              Scope.RANK,
              "Active items nearest to an item by embedding"),
          // ingest
          new Endpoint(
              "POST", "/v1/impressions", Scope.INGEST, "Record a batch of one user's impressions"),
          new Endpoint(
              "POST", "/v1/events", Scope.INGEST, "Record a batch of events of many users"),
          new Endpoint(
              "GET",
              "/v1/stream",
              Scope.INGEST,
              "WebSocket ingest: one events batch per message, one ack per batch"),
          // ranking and the user's library
          new Endpoint(
              "GET",
              "/v1/users/{userId}/recommendations",
              Scope.RANK,
              "Rank unseen items for a user"),
          new Endpoint(
              "GET", "/v1/users/{userId}/state", Scope.RANK, "A user's live state and freshness"),
          new Endpoint(
              "PUT", "/v1/users/{userId}/persona", Scope.RANK, "Set a user's cold-start persona"),
          // privacy
          new Endpoint(
              "PUT",
              "/v1/users/{userId}/consent",
              Scope.RANK,
              "Give or withdraw consent to store a user's behaviour"),
          new Endpoint(
              "GET",
              "/v1/users/{userId}/export",
              Scope.ADMIN,
              "Everything stored about a user (access request)"),
          new Endpoint("DELETE", "/v1/users/{userId}", Scope.ADMIN, "Erase a user everywhere"),
          new Endpoint(
              "GET",
              "/v1/users/{userId}/history",
              Scope.RANK,
              "A user's impression history by day"),
          new Endpoint("GET", "/v1/users/{userId}/replay", Scope.RANK, "Seen items served again"),
          new Endpoint("GET", "/v1/users/{userId}/favorites", Scope.RANK, "A user's favourites"),
          new Endpoint(
              "PUT", "/v1/users/{userId}/favorites/{itemId}", Scope.RANK, "Add a favourite"),
          new Endpoint(
              "DELETE", "/v1/users/{userId}/favorites/{itemId}", Scope.RANK, "Remove a favourite"),
          new Endpoint(
              "POST",
              "/v1/users/{userId}/favorites/share",
              Scope.RANK,
              "Create a read-only link to a user's favourites"),
          new Endpoint(
              "DELETE",
              "/v1/users/{userId}/favorites/share",
              Scope.RANK,
              "Revoke a user's favourite links"),
          new Endpoint(
              "GET", "/v1/shared/favorites/{token}", PUBLIC, "Favourites behind a shared link"),
          // operations
          new Endpoint("GET", "/v1/admin/keys", Scope.ADMIN, "List API keys (never their secrets)"),
          new Endpoint(
              "POST", "/v1/admin/keys", Scope.ADMIN, "Create an API key; its secret is shown once"),
          new Endpoint(
              "DELETE",
              "/v1/admin/keys/{keyId}",
              Scope.ADMIN,
              "Revoke an API key on every node at once"),
          new Endpoint("GET", "/v1/admin/pool", Scope.ADMIN, "Predictive pool generation status"),
          new Endpoint(
              "GET",
              "/v1/admin/cluster",
              Scope.ADMIN,
              "Cluster members, unreachable members, shards and entities per node"),
          new Endpoint(
              "GET", "/v1/admin/vectors", Scope.ADMIN, "Vector indexes: state, size, breaker"),
          new Endpoint(
              "GET",
              "/v1/admin/models",
              Scope.ADMIN,
              "Trained model versions and the training job"),
          new Endpoint("POST", "/v1/admin/models/train", Scope.ADMIN, "Train a model now"),
          new Endpoint(
              "GET",
              "/v1/admin/pipelines",
              Scope.ADMIN,
              "Read-model pipelines: offsets, lag, errors"),
          new Endpoint(
              "GET",
              "/v1/admin/alerts",
              Scope.ADMIN,
              "Alert rules evaluated on this node: state, value, threshold"),
          new Endpoint(
              "GET",
              "/v1/admin/dashboard/activity",
              Scope.ADMIN,
              "Impressions, interactions and active users over time"),
          new Endpoint(
              "GET",
              "/v1/admin/dashboard/freshness",
              Scope.ADMIN,
              "Users by coverage band over time, and the freshness KPI"),
          new Endpoint(
              "GET",
              "/v1/admin/dashboard/metrics",
              Scope.ADMIN,
              "This node's latency, read-model lag and pool generation over time"),
          new Endpoint(
              "GET",
              FEED,
              Scope.ADMIN,
              "WebSocket: impressions, interactions and rankings as they happen"),
          new Endpoint("GET", "/metrics", Scope.ADMIN, "Prometheus metrics"),
          new Endpoint("GET", "/health/alive", PUBLIC, "Liveness"),
          new Endpoint(
              "GET", "/health/ready", PUBLIC, "Readiness: cluster membership, sharding, database"),
          new Endpoint("GET", "/v1/openapi.json", PUBLIC, "This API's OpenAPI 3 document"));

  /**
   * The internal API (its own listener, {@code freshet.http.internal}): services that are not on
   * the JVM send the commands of the cluster client ({@code client/}) here, with keys of scope
   * {@code internal}. The same bodies, answers and checks as the public routes of the same paths
   * after {@code /internal}, plus pushed features. Not in the public table, so the public port
   * never serves them.
   */
  public static final List<Endpoint> INTERNAL =
      List.of(
          new Endpoint(
              "POST",
              "/internal/v1/impressions",
              Scope.INTERNAL,
              "Record a batch of one user's impressions"),
          new Endpoint(
              "POST",
              "/internal/v1/events",
              Scope.INTERNAL,
              "Record a batch of events of many users"),
          new Endpoint(
              "PUT",
              "/internal/v1/users/{userId}/persona",
              Scope.INTERNAL,
              "Set a user's cold-start persona"),
          new Endpoint(
              "PUT",
              "/internal/v1/users/{userId}/consent",
              Scope.INTERNAL,
              "Give or withdraw consent to store a user's behaviour"),
          new Endpoint(
              "PUT",
              "/internal/v1/users/{userId}/features",
              Scope.INTERNAL,
              "Push a user vector an outside model computed"),
          new Endpoint(
              "DELETE", "/internal/v1/users/{userId}", Scope.INTERNAL, "Erase a user everywhere"),
          new Endpoint(
              "GET",
              "/internal/v1/users/{userId}/recommendations",
              Scope.INTERNAL,
              "Rank unseen items for a user"),
          new Endpoint(
              "GET",
              "/internal/v1/users/{userId}/state",
              Scope.INTERNAL,
              "A user's live state and freshness"));

  /**
   * The static files the public listener serves beside the API: the browser SDK (to pages of any
   * origin) and the admin dashboard. They are not API operations, so not in the OpenAPI document.
   */
  public static final List<Endpoint> ASSETS =
      List.of(
          new Endpoint("GET", "/sdk/{file}", PUBLIC, "The browser SDK"),
          new Endpoint("GET", "/admin", PUBLIC, "The admin dashboard (redirects to /admin/)"),
          new Endpoint("GET", "/admin/", PUBLIC, "The admin dashboard"),
          new Endpoint("GET", "/admin/{file}", PUBLIC, "A file of the admin dashboard"),
          new Endpoint(
              "GET", "/admin/vendor/echarts.min.js", PUBLIC, "The dashboard's charting library"));

  /** Whether {@code endpoint} serves a static file. */
  public static boolean isAsset(Endpoint endpoint) {
    return ASSETS.contains(endpoint);
  }

  /** The public API's routes and the static files. */
  public static final Table PUBLIC_API =
      new Table(java.util.stream.Stream.concat(ALL.stream(), ASSETS.stream()).toList());

  /** The internal API's routes. */
  public static final Table INTERNAL_API = new Table(INTERNAL);

  /** One API's endpoints, matched against requests. */
  public static final class Table {
    private final List<Compiled> bySpecificity;

    Table(List<Endpoint> endpoints) {
      // most literal segments first, so that /v1/items/popular is found before /v1/items/{itemId}
      this.bySpecificity =
          endpoints.stream()
              .sorted(Comparator.comparingInt(Endpoint::literalSegments).reversed())
              .map(e -> new Compiled(e, e.segments().toArray(String[]::new)))
              .toList();
    }

    /** The endpoint for {@code method} on {@code path}, if there is one. */
    public Optional<Endpoint> find(String method, String path) {
      String[] segments = segments(path);
      for (Compiled c : bySpecificity) {
        if (c.endpoint().method().equals(method) && c.matches(segments))
          return Optional.of(c.endpoint());
      }
      return Optional.empty();
    }

    /** The methods some endpoint serves on {@code path} (for a 405's {@code Allow}). */
    public List<String> methodsFor(String path) {
      String[] segments = segments(path);
      List<String> methods = new ArrayList<>();
      for (Compiled c : bySpecificity) {
        if (c.matches(segments) && !methods.contains(c.endpoint().method()))
          methods.add(c.endpoint().method());
      }
      return methods;
    }
  }

  /** An endpoint with its template split once, for matching every request without allocating. */
  private record Compiled(Endpoint endpoint, String[] segments) {
    boolean matches(String[] path) {
      if (segments.length != path.length) return false;
      for (int i = 0; i < segments.length; i++) {
        if (segments[i].startsWith("{") ? path[i].isEmpty() : !segments[i].equals(path[i]))
          return false;
      }
      return true;
    }
  }

  private Endpoints() {}

  /** The public endpoint for {@code method} on {@code path}, if there is one. */
  public static Optional<Endpoint> find(String method, String path) {
    return PUBLIC_API.find(method, path);
  }

  /** The methods some public endpoint serves on {@code path}. */
  public static List<String> methodsFor(String path) {
    return PUBLIC_API.methodsFor(path);
  }

  private static String[] segments(String path) {
    return (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
  }
}
