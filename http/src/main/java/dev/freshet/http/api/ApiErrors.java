package dev.freshet.http.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.persistence.StoreException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.cors.javadsl.CorsRejection;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.ParsingException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Turns every failure into API.md's error JSON: 4xx for the client's mistakes (naming the field),
 * 429 with {@code Retry-After}, 503 when a dependency (a user entity, the database) cannot answer
 * in time, 500 for our bugs. Every error body carries the request's trace id, and so does every log
 * line written here.
 */
public final class ApiErrors extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private final ObjectMapper mapper;

  public ApiErrors(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * {@code inner} with its exceptions and rejections answered as error JSON carrying {@code
   * traceId}.
   */
  public Route handle(String traceId, Supplier<Route> inner) {
    ExceptionHandler exceptions =
        ExceptionHandler.newBuilder().matchAny(e -> complete(toResponse(e, traceId))).build();
    RejectionHandler rejections =
        RejectionHandler.newBuilder()
            .handle(
                CorsRejection.class,
                // answered without CORS headers: the page that sent it may not read it, by design
                r ->
                    complete(
                        error(
                            403,
                            "origin_not_allowed",
                            "CORS: " + r.cause().description(),
                            "Origin",
                            traceId)))
            .build()
            .withFallback(
                RejectionHandler.defaultHandler()
                    .mapRejectionResponse(r -> rejectionAsJson(r, traceId)));
    return handleExceptions(exceptions, () -> handleRejections(rejections, inner));
  }

  public HttpResponse toResponse(Throwable failure, String traceId) {
    Throwable e = unwrap(failure);
    if (e instanceof ApiException api) {
      HttpResponse response =
          error(api.status(), api.code(), api.getMessage(), api.field(), traceId);
      if (api.closesConnection()) response = response.addHeader(Connection.create("close"));
      if (!api.allowedMethods().isEmpty())
        response =
            response.addHeader(RawHeader.create("Allow", String.join(", ", api.allowedMethods())));
      return api.retryAfterSeconds() > 0
          ? response.addHeader(
              RawHeader.create("Retry-After", Long.toString(api.retryAfterSeconds())))
          : response;
    }
    if (e instanceof EntityStreamSizeException size) {
      return toResponse(ApiException.bodyTooLarge(size.limit()), traceId);
    }
    if (e instanceof EntityStreamException || e instanceof ParsingException) {
      // the body's framing is broken (say, malformed chunked encoding): the client's fault, and the
      // rest of the connection cannot be trusted
      return toResponse(
          ApiException.closing(
              400, "malformed_body", "the body could not be read: " + e.getMessage(), "body"),
          traceId);
    }
    if (e instanceof StatusReply.ErrorMessage refusal) {
      // a user entity refused the command by its rules (a full favourites list, an event the
      // journal
      // cannot store): asking again cannot succeed
      return error(422, "refused", refusal.getMessage(), null, traceId);
    }
    try (var mdc = MDC.putCloseable("traceId", traceId)) {
      if (e instanceof TimeoutException) {
        log.warn("Dependency timed out: {}", e.getMessage());
        return error(
            503, "unavailable", "the request timed out inside Freshet; retry later", null, traceId);
      }
      if (e instanceof StoreException store) {
        Optional<String> state = store.refusedData();
        if (state.isPresent()) {
          log.warn(
              "The database refused a request's data (SQLSTATE {}): {}",
              state.get(),
              store.getMessage(),
              store);
          return error(
              400,
              "invalid_value",
              "the request holds a value the database cannot store (SQLSTATE " + state.get() + ")",
              null,
              traceId);
        }
        log.error("Request failed on a dependency", e);
        return error(503, "unavailable", "storage is unavailable; retry later", null, traceId);
      }
      log.error("Unexpected failure", e);
      return error(500, "internal", "internal error", null, traceId);
    }
  }

  /**
   * Pekko's rejection answers as error JSON. A 404 here always means no route matched: resources
   * that do not exist are reported by the routes themselves with code {@code not_found}.
   */
  private HttpResponse rejectionAsJson(HttpResponse response, String traceId) {
    if (!(response.entity() instanceof HttpEntity.Strict strict)) return response;
    String message = strict.getData().utf8String();
    int status = response.status().intValue();
    String code =
        status == 404
            ? "no_route"
            : response.status().reason().toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", "_");
    return error(status, code, message, null, traceId).withHeaders(response.getHeaders());
  }

  private HttpResponse error(
      int status, String code, String message, String field, String traceId) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", printable(message));
    if (field != null) error.put("field", printable(field));
    error.put("traceId", traceId);
    return ApiJson.response(mapper, status, Map.of("error", error));
  }

  /**
   * {@code message} with any unpaired surrogate (echoed from a client's input) as U+FFFD: JSON
   * output has no form for one.
   */
  private static String printable(String message) {
    if (message == null) return "";
    int at = Fields.loneSurrogate(message, 0);
    if (at < 0) return message;
    StringBuilder out = new StringBuilder(message);
    for (; at >= 0; at = Fields.loneSurrogate(message, at + 1)) out.setCharAt(at, '\uFFFD');
    return out.toString();
  }

  /** The failure itself, without the CompletionException/ExecutionException wrapping of futures. */
  public static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
