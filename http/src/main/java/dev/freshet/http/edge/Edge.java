package dev.freshet.http.edge;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.metrics.RequestMetrics;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.cors.javadsl.CorsDirectives;
import org.apache.pekko.http.cors.javadsl.settings.CorsSettings;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.model.headers.HttpOrigin;
import org.apache.pekko.http.javadsl.model.headers.Origin;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every request passes before a route: a trace id, CORS, the endpoint table (a request no
 * endpoint matches is refused), the API key and its scope, the rate-limit tier, and on the way out
 * the security headers, the trace id header, the request metrics and the request log.
 */
public final class Edge extends AllDirectives {

  private static final Logger access = LoggerFactory.getLogger("dev.freshet.http.access");

  /**
   * The WebSocket endpoint takes its key from a query parameter: browsers cannot set headers there.
   */
  static final String STREAM = "/v1/stream";

  static final String ACCESS_TOKEN = "access_token";

  public record Settings(
      boolean trustForwardedFor, List<String> allowedOrigins, List<HttpHeader> securityHeaders) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.http");
      List<HttpHeader> headers = new ArrayList<>();
      for (Map.Entry<String, ConfigValue> e : c.getConfig("security-headers").root().entrySet()) {
        String value = String.valueOf(e.getValue().unwrapped());
        if (!value.isBlank()) headers.add(RawHeader.create(e.getKey(), value));
      }
      List<String> origins =
          Arrays.stream(c.getString("cors.allowed-origins").split("[,\\s]+"))
              .filter(s -> !s.isBlank())
              .toList();
      for (String origin : origins) {
        if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
          throw new IllegalArgumentException(
              "freshet.http.cors.allowed-origins: '"
                  + origin
                  + "' is not an origin such as https://shop.example.com (or *)");
        }
      }
      return new Settings(c.getBoolean("trust-forwarded-for"), origins, List.copyOf(headers));
    }
  }

  private final ApiKeys keys;
  private final RateLimits limits;
  private final ApiErrors errors;
  private final RequestMetrics metrics;
  private final Settings settings;
  private final CorsSettings cors;
  private final Function<ApiException, Route> refuseStream;
  private final Endpoints.Table table;

  /** The edge of the public API ({@link Endpoints#ALL}). */
  public Edge(
      ApiKeys keys,
      RateLimits limits,
      ApiErrors errors,
      RequestMetrics metrics,
      Settings settings,
      Config systemConfig,
      Function<ApiException, Route> refuseStream) {
    this(Endpoints.PUBLIC_API, keys, limits, errors, metrics, settings, systemConfig, refuseStream);
  }

  /**
   * The edge of the API whose routes {@code table} lists: a request it does not match is refused,
   * whatever the routes behind would serve.
   */
  public Edge(
      Endpoints.Table table,
      ApiKeys keys,
      RateLimits limits,
      ApiErrors errors,
      RequestMetrics metrics,
      Settings settings,
      Config systemConfig,
      Function<ApiException, Route> refuseStream) {
    this.table = table;
    this.keys = keys;
    this.limits = limits;
    this.errors = errors;
    this.metrics = metrics;
    this.settings = settings;
    this.refuseStream = refuseStream;
    this.cors = corsSettings(settings.allowedOrigins(), systemConfig);
  }

  /**
   * pekko-http-cors' settings for {@code allowed}, given to it as its own configuration: its Java
   * constant for "any origin" ({@code HttpOriginMatcher.ALL}) is null when the Scala matcher was
   * loaded first (a class-initialisation cycle in the library), which made every request with an
   * Origin header fail. Parsed from configuration, "*" and lists take the library's own code path.
   */
  static CorsSettings corsSettings(List<String> allowed, Config systemConfig) {
    Map<String, Object> cors = new HashMap<>();
    cors.put("allowed-origins", allowed.contains("*") ? "*" : allowed);
    // keys travel in a header, never in cookies: no credentials, so "*" is never an echoed origin
    cors.put("allow-credentials", false);
    cors.put("allowed-methods", List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"));
    cors.put(
        "allowed-headers",
        List.of(
            "Authorization",
            "Content-Type",
            Idempotency.HEADER,
            TraceIds.REQUEST_ID_HEADER,
            "traceparent"));
    cors.put(
        "exposed-headers",
        List.of("Retry-After", TraceIds.REQUEST_ID_HEADER, "Idempotent-Replayed"));
    cors.put("allow-generic-http-requests", true);
    return CorsSettings.create(
        ConfigFactory.parseMap(Map.of("pekko.http.cors", cors)).withFallback(systemConfig));
  }

  /** {@code routes} behind the edge. */
  public Route wrap(Supplier<Route> routes) {
    return extractRequest(
        request -> {
          long start = System.nanoTime();
          String traceId = TraceIds.of(request);
          String method = request.method().value();
          String path = request.getUri().path();
          Optional<Endpoint> endpoint = table.find(method.equals("HEAD") ? "GET" : method, path);
          String route = endpoint.map(Endpoint::template).orElse("unmatched");
          String ip = clientIp(request);
          Supplier<Route> gated =
              () -> errors.handle(traceId, () -> gate(request, endpoint, ip, traceId, routes));
          return mapResponse(
              response -> finish(response, route, method, path, traceId, start),
              () ->
                  errors.handle(
                      traceId,
                      () -> {
                        HeaderCheck.requireClean(request);
                        // errors inside are answered within the CORS directive, so that a page can
                        // read them
                        // static files carry their own answer to other origins (AssetRoutes)
                        boolean asset = endpoint.map(Endpoints::isAsset).orElse(false);
                        return crossOrigin(request) && !asset
                            ? CorsDirectives.cors(cors, gated)
                            : gated.get();
                      }));
        });
  }

  /**
   * Whether CORS applies: the request names an origin other than this node's own. A page served by
   * the edge itself (the dashboard) sends its own origin, which needs no entry in allowed-origins.
   */
  private static boolean crossOrigin(HttpRequest request) {
    Optional<Origin> origin = request.getHeader(Origin.class);
    if (origin.isEmpty())
      return request.getHeader("Origin").isPresent(); // unparsable: the library refuses it
    Optional<Host> host = request.getHeader(Host.class);
    if (host.isEmpty()) return true;
    for (HttpOrigin o : origin.get().getOrigins()) {
      if (!sameAuthority(o, host.get())) return true;
    }
    return !origin
        .get()
        .getOrigins()
        .iterator()
        .hasNext(); // "Origin: null" (sandboxed pages, files) is cross-origin
  }

  /**
   * {@code origin}'s host and port against the Host header (whose absent port is the scheme's
   * default).
   */
  private static boolean sameAuthority(HttpOrigin origin, Host host) {
    if (!origin.host().host().address().equalsIgnoreCase(host.host().address())) return false;
    int originPort =
        origin.host().port() != 0
            ? origin.host().port()
            : origin.scheme().equals("https") ? 443 : 80;
    int hostPort = host.port();
    return hostPort == 0 ? originPort == 80 || originPort == 443 : hostPort == originPort;
  }

  private HttpResponse finish(
      HttpResponse response, String route, String method, String path, String traceId, long start) {
    long nanos = System.nanoTime() - start;
    int status = response.status().intValue();
    metrics.observe(route, method, status, nanos);
    if (status >= 400 || access.isDebugEnabled()) {
      try (var mdc = MDC.putCloseable("traceId", traceId)) {
        String line = "{} {} -> {} in {} ms";
        Object[] args = {method, path, status, nanos / 1_000_000};
        if (status >= 500) access.warn(line, args);
        else if (status >= 400) access.info(line, args);
        else access.debug(line, args);
      }
    }
    return response
        .addHeaders(settings.securityHeaders())
        .addHeader(RawHeader.create(TraceIds.REQUEST_ID_HEADER, traceId));
  }

  private Route gate(
      HttpRequest request,
      Optional<Endpoint> found,
      String ip,
      String traceId,
      Supplier<Route> routes) {
    String path = request.getUri().path();
    if (found.isEmpty()) {
      List<String> methods = table.methodsFor(path);
      if (!methods.isEmpty()) {
        throw ApiException.methodNotAllowed(request.method().value(), path, methods);
      }
      throw new ApiException(
          404, "no_route", "There is no route " + request.method().value() + " " + path, null);
    }
    Endpoint endpoint = found.get();
    if (endpoint.template().startsWith("/health/")) {
      return proceed(new Caller(Optional.empty(), ip, traceId), routes); // probes are never limited
    }
    boolean open =
        endpoint.isPublic()
            || !keys.settings().enabled()
            || (endpoint.template().equals("/metrics") && keys.settings().publicMetrics());
    if (open) {
      if (endpoint.isPublic()) limits.admit(RateLimits.Tier.ANONYMOUS, ip);
      else admitTier(endpoint.scope(), "ip:" + ip);
      return proceed(new Caller(Optional.empty(), ip, traceId), routes);
    }
    Optional<String> presented = presentedKey(request, endpoint);
    if (presented.isEmpty() && inBandKey(request, endpoint)) {
      limits.admit(RateLimits.Tier.ANONYMOUS, ip);
      return proceed(new Caller(Optional.empty(), ip, traceId), routes);
    }
    // a missing, unknown or revoked key is told so (401) whatever the anonymous limit says: a 429
    // would have the client retry a request that can never succeed
    if (presented.isEmpty()) {
      return refuse(
          request,
          endpoint,
          new ApiException(
              401,
              "unauthorized",
              "an API key is required: send Authorization: Bearer <key>",
              "Authorization"));
    }
    return onSuccess(
        keys.authenticate(presented.get()),
        key -> {
          if (key.isEmpty()) {
            return refuse(
                request,
                endpoint,
                new ApiException(
                    401, "unauthorized", "the API key is unknown or revoked", "Authorization"));
          }
          if (!key.get().allows(endpoint.scope())) {
            return refuse(
                request,
                endpoint,
                new ApiException(
                    403,
                    "forbidden",
                    "API key " + key.get().id() + " lacks the scope " + endpoint.scope().wireName(),
                    "Authorization"));
          }
          admitTier(endpoint.scope(), key.get().id());
          return proceed(new Caller(key, ip, traceId), routes);
        });
  }

  /**
   * Whether the route asks for the key itself: a browser opening the admin feed's WebSocket sends
   * the key in its first message, so that it never sits in a URL (and so in logs and history).
   */
  private static boolean inBandKey(HttpRequest request, Endpoint endpoint) {
    return endpoint.template().equals(Endpoints.FEED)
        && request.getAttribute(AttributeKeys.webSocketUpgrade).isPresent();
  }

  /** Rank and admin routes are limited per key here; ingest per user, once the batch is read. */
  private void admitTier(Scope scope, String subject) {
    switch (scope) {
      case RANK -> limits.admit(RateLimits.Tier.RANK, subject);
      case ADMIN -> limits.admit(RateLimits.Tier.ADMIN, subject);
      case INGEST, INTERNAL -> {}
    }
  }

  /** An unauthorised WebSocket upgrade is told why over the socket, which browsers can read. */
  private Route refuse(HttpRequest request, Endpoint endpoint, ApiException reason) {
    if (endpoint.template().equals(STREAM)
        && request.getAttribute(AttributeKeys.webSocketUpgrade).isPresent()) {
      return refuseStream.apply(reason);
    }
    throw reason;
  }

  private Route proceed(Caller caller, Supplier<Route> routes) {
    return mapRequest(r -> r.addAttribute(Caller.ATTRIBUTE, caller), routes);
  }

  private static Optional<String> presentedKey(HttpRequest request, Endpoint endpoint) {
    Optional<String> bearer =
        request
            .getHeader("Authorization")
            .map(HttpHeader::value)
            .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
            .map(v -> v.substring(7).trim())
            .filter(v -> !v.isEmpty());
    // the WebSocket and the beacon routes take the key from the query when no header comes, as
    // browsers cannot set one there (the query is never logged: the access log writes the path)
    boolean queryKey =
        endpoint.template().equals(STREAM) || Endpoints.BEACON_PATHS.contains(endpoint.template());
    if (bearer.isPresent() || !queryKey) return bearer;
    return request.getUri().query().get(ACCESS_TOKEN).filter(v -> !v.isEmpty());
  }

  /**
   * The client's address: the socket's peer, or with {@code trust-forwarded-for} (behind a proxy
   * that sets it) the first address of {@code X-Forwarded-For}. Trusting the header otherwise would
   * let a client pick its own IP and escape the anonymous limit.
   */
  private String clientIp(HttpRequest request) {
    if (settings.trustForwardedFor()) {
      Optional<String> forwarded =
          request
              .getHeader("X-Forwarded-For")
              .map(h -> h.value().split(",")[0].trim())
              .filter(s -> !s.isEmpty());
      if (forwarded.isPresent()) return forwarded.get();
    }
    return request
        .getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(InetAddress::getHostAddress)
        .orElse("unknown");
  }
}
