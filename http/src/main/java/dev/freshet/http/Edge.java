package dev.freshet.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.cors.javadsl.CorsDirectives;
import org.apache.pekko.http.cors.javadsl.model.HttpOriginMatcher;
import org.apache.pekko.http.cors.javadsl.settings.CorsSettings;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.HttpOrigin;
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

  /** The WebSocket endpoint takes its key from a query parameter: browsers cannot set headers there. */
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
          Arrays.stream(c.getString("cors.allowed-origins").split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
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

  Edge(
      ApiKeys keys,
      RateLimits limits,
      ApiErrors errors,
      RequestMetrics metrics,
      Settings settings,
      CorsSettings corsDefaults,
      Function<ApiException, Route> refuseStream) {
    this.keys = keys;
    this.limits = limits;
    this.errors = errors;
    this.metrics = metrics;
    this.settings = settings;
    this.refuseStream = refuseStream;
    this.cors =
        corsDefaults
            .withAllowedOrigins(origins(settings.allowedOrigins()))
            // keys travel in a header, never in cookies: no credentials
            .withAllowCredentials(false)
            .withAllowedMethods(
                List.of(HttpMethods.GET, HttpMethods.POST, HttpMethods.PUT, HttpMethods.DELETE, HttpMethods.HEAD, HttpMethods.OPTIONS))
            .withExposedHeaders(List.of("Retry-After", TraceIds.REQUEST_ID_HEADER, "Idempotent-Replayed"));
  }

  private static HttpOriginMatcher origins(List<String> allowed) {
    if (allowed.isEmpty() || allowed.contains("*")) return HttpOriginMatcher.ALL;
    return HttpOriginMatcher.create(allowed.stream().map(HttpOrigin::parse).toArray(HttpOrigin[]::new));
  }

  /** {@code routes} behind the edge. */
  Route wrap(Supplier<Route> routes) {
    return extractRequest(
        request -> {
          long start = System.nanoTime();
          String traceId = TraceIds.of(request);
          String method = request.method().value();
          String path = request.getUri().path();
          Optional<Endpoint> endpoint = Endpoints.find(method.equals("HEAD") ? "GET" : method, path);
          String route = endpoint.map(Endpoint::template).orElse("unmatched");
          String ip = clientIp(request);
          return mapResponse(
              response -> finish(response, route, method, path, traceId, start),
              () ->
                  errors.handle(
                      traceId,
                      () -> CorsDirectives.cors(cors, () -> gate(request, endpoint, ip, traceId, routes))));
        });
  }

  private HttpResponse finish(HttpResponse response, String route, String method, String path, String traceId, long start) {
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
    return response.addHeaders(settings.securityHeaders()).addHeader(RawHeader.create(TraceIds.REQUEST_ID_HEADER, traceId));
  }

  private Route gate(HttpRequest request, Optional<Endpoint> found, String ip, String traceId, Supplier<Route> routes) {
    String path = request.getUri().path();
    if (found.isEmpty()) {
      List<String> methods = Endpoints.methodsFor(path);
      if (!methods.isEmpty()) {
        throw new ApiException(
            405, "method_not_allowed", request.method().value() + " is not allowed on " + path + " (allowed: " + String.join(", ", methods) + ")", null);
      }
      throw new ApiException(404, "no_route", "There is no route " + request.method().value() + " " + path, null);
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
    if (presented.isEmpty()) {
      limits.admit(RateLimits.Tier.ANONYMOUS, ip);
      return refuse(
          request,
          endpoint,
          new ApiException(401, "unauthorized", "an API key is required: send Authorization: Bearer <key>", "Authorization"));
    }
    return onSuccess(
        keys.authenticate(presented.get()),
        key -> {
          if (key.isEmpty()) {
            limits.admit(RateLimits.Tier.ANONYMOUS, ip);
            return refuse(request, endpoint, new ApiException(401, "unauthorized", "the API key is unknown or revoked", "Authorization"));
          }
          if (!key.get().allows(endpoint.scope())) {
            return refuse(
                request,
                endpoint,
                new ApiException(
                    403, "forbidden", "API key " + key.get().id() + " lacks the scope " + endpoint.scope().wireName(), "Authorization"));
          }
          admitTier(endpoint.scope(), key.get().id());
          return proceed(new Caller(key, ip, traceId), routes);
        });
  }

  /** Rank and admin routes are limited per key here; ingest per user, once the batch is read. */
  private void admitTier(Scope scope, String subject) {
    switch (scope) {
      case RANK -> limits.admit(RateLimits.Tier.RANK, subject);
      case ADMIN -> limits.admit(RateLimits.Tier.ADMIN, subject);
      case INGEST -> {}
    }
  }

  /** An unauthorised WebSocket upgrade is told why over the socket, which browsers can read. */
  private Route refuse(HttpRequest request, Endpoint endpoint, ApiException reason) {
    if (endpoint.template().equals(STREAM) && request.getAttribute(AttributeKeys.webSocketUpgrade).isPresent()) {
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
    if (bearer.isPresent() || !endpoint.template().equals(STREAM)) return bearer;
    return request.getUri().query().get(ACCESS_TOKEN).filter(v -> !v.isEmpty());
  }

  /**
   * The client's address: the socket's peer, or with {@code trust-forwarded-for} (behind a proxy that
   * sets it) the first address of {@code X-Forwarded-For}. Trusting the header otherwise would let a
   * client pick its own IP and escape the anonymous limit.
   */
  private String clientIp(HttpRequest request) {
    if (settings.trustForwardedFor()) {
      Optional<String> forwarded =
          request.getHeader("X-Forwarded-For").map(h -> h.value().split(",")[0].trim()).filter(s -> !s.isEmpty());
      if (forwarded.isPresent()) return forwarded.get();
    }
    return request
        .getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(InetAddress::getHostAddress)
        .orElse("unknown");
  }
}
