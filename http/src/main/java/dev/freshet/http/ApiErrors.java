package dev.freshet.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.persistence.StoreException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into API.md's error JSON: 4xx for the client's mistakes (naming the field),
 * 503 when a dependency (a user entity, the database) cannot answer in time, 500 for our bugs.
 */
final class ApiErrors extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private final ObjectMapper mapper;
  private final ExceptionHandler exceptions;
  private final RejectionHandler rejections;

  ApiErrors(ObjectMapper mapper) {
    this.mapper = mapper;
    this.exceptions = ExceptionHandler.newBuilder().matchAny(e -> complete(toResponse(e))).build();
    this.rejections =
        RejectionHandler.defaultHandler().mapRejectionResponse(this::rejectionAsJson);
  }

  Route handle(Supplier<Route> inner) {
    return handleExceptions(exceptions, () -> handleRejections(rejections, inner));
  }

  HttpResponse toResponse(Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof ApiException api) {
      return error(api.status(), api.code(), api.getMessage(), api.field());
    }
    if (e instanceof EntityStreamSizeException size) {
      return toResponse(FreshetRoutes.bodyTooLarge(size.limit()));
    }
    if (e instanceof TimeoutException) {
      log.warn("Dependency timed out: {}", e.getMessage());
      return error(503, "unavailable", "the request timed out inside Freshet; retry later", null);
    }
    if (e instanceof StoreException || e instanceof StatusReply.ErrorMessage) {
      log.error("Request failed on a dependency", e);
      return error(503, "unavailable", "storage is unavailable; retry later", null);
    }
    log.error("Unexpected failure", e);
    return error(500, "internal", "internal error", null);
  }

  private HttpResponse rejectionAsJson(HttpResponse response) {
    if (!(response.entity() instanceof HttpEntity.Strict strict)) return response;
    String message = strict.getData().utf8String();
    int status = response.status().intValue();
    String code = response.status().reason().toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", "_");
    return error(status, code, message, null);
  }

  private HttpResponse error(int status, String code, String message, String field) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    if (field != null) error.put("field", field);
    return ApiJson.response(mapper, status, Map.of("error", error));
  }

  /** The failure itself, without the CompletionException/ExecutionException wrapping of futures. */
  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
