package dev.freshet.http.edge;

import com.typesafe.config.ConfigFactory;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.ApiJson;
import java.util.List;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * API.md's error JSON for requests Pekko's parser refuses before any route sees them (a request
 * line it cannot read, an unknown method, a broken header block, a request target or header section
 * over the limits): {@code pekko.http.server.parsing.error-handler}. Pekko closes the connection
 * after such an answer.
 *
 * <p>An unknown or lower-case method is 400 {@code unsupported_method} here, not Pekko's 501: to a
 * client of this API a method outside GET, POST, PUT, DELETE, HEAD and OPTIONS is a request that
 * can never succeed, which is what a 4xx says; a 5xx would have it retried and counted as our
 * failure. Likewise an HTTP version other than 1.0 and 1.1.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {

  /**
   * Pekko makes a handler by reflection for every connection, so what it needs is made once per
   * JVM, not per connection.
   */
  private static final ApiErrors errors = new ApiErrors(ApiJson.mapper());

  /**
   * Without the node's configuration (Pekko passes none): the security headers come from the
   * application's own (environment overrides included), as the edge's do.
   */
  private static final List<HttpHeader> securityHeaders =
      Edge.Settings.fromConfig(ConfigFactory.load()).securityHeaders();

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String traceId = TraceIds.fresh();
    log.info(
        "Refused an unparsable request with {} ({}): {}",
        status.intValue(),
        traceId,
        info.summary());
    ApiException refusal =
        switch (status.intValue()) {
          case 501 ->
              new ApiException(
                  400,
                  "unsupported_method",
                  "Unsupported HTTP method: use GET, POST, PUT, DELETE, HEAD or OPTIONS",
                  "method");
          case 505 ->
              new ApiException(
                  400, "unsupported_version", "Unsupported HTTP version: use HTTP/1.1", null);
          case 413 -> new ApiException(413, "too_large", info.summary(), null);
          case 414 -> new ApiException(414, "uri_too_long", info.summary(), "uri");
          case 431 -> new ApiException(431, "headers_too_large", info.summary(), null);
          default ->
              new ApiException(
                  status.intValue() >= 500 ? 400 : status.intValue(),
                  "malformed_request",
                  info.summary(),
                  null);
        };
    HttpResponse response =
        errors
            .toResponse(refusal, traceId)
            .addHeaders(securityHeaders)
            .addHeader(RawHeader.create(TraceIds.REQUEST_ID_HEADER, traceId));
    // the answer to a HEAD has no body, even when the HEAD itself was malformed
    return info.summary().startsWith("HEAD ") ? response.withEntity(HttpEntities.EMPTY) : response;
  }
}
