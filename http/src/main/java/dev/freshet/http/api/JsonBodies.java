package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * Request bodies as JSON, read whole within their size limit and {@code readTimeout}: every route
 * that takes a body reads it here, so that size, media type, framing and parse errors are answered
 * the same everywhere.
 */
public final class JsonBodies extends AllDirectives {

  private final ActorSystem<?> system;
  private final ObjectMapper mapper;
  private final long maxBytes;
  private final long maxCatalogBytes;
  private final Duration readTimeout;

  public JsonBodies(
      ActorSystem<?> system,
      ObjectMapper mapper,
      long maxBytes,
      long maxCatalogBytes,
      Duration readTimeout) {
    this.system = system;
    this.mapper = mapper;
    this.maxBytes = maxBytes;
    this.maxCatalogBytes = maxCatalogBytes;
    this.readTimeout = readTimeout;
  }

  /** An {@code application/json} body of at most {@code max-body-size}. */
  public Route json(Function<JsonNode, Route> inner) {
    return read(false, maxBytes, inner);
  }

  /**
   * An ingest batch: sendBeacon can only send {@code text/plain}, so JSON in a text/plain body is
   * accepted too.
   */
  public Route beacon(Function<JsonNode, Route> inner) {
    return read(true, maxBytes, inner);
  }

  /**
   * A catalog upsert, up to {@code max-catalog-body-size}: 1,000 items of up to 4 KiB attributes.
   */
  public Route catalog(Function<JsonNode, Route> inner) {
    return read(false, maxCatalogBytes, inner);
  }

  private Route read(boolean allowTextPlain, long limit, Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          MediaType mediaType = entity.getContentType().mediaType();
          boolean accepted =
              mediaType.equals(MediaTypes.APPLICATION_JSON)
                  || (allowTextPlain && mediaType.equals(MediaTypes.TEXT_PLAIN));
          if (!accepted) {
            throw new ApiException(
                415,
                "unsupported_media_type",
                "Content-Type must be application/json"
                    + (allowTextPlain ? " or text/plain" : "")
                    + ", not "
                    + mediaType,
                "Content-Type");
          }
          var declared = entity.getContentLengthOption();
          if (declared.isPresent() && declared.getAsLong() > limit)
            throw ApiException.bodyTooLarge(limit);
          // a body without Content-Length (chunked) fails with EntityStreamSizeException past the
          // limit
          return onSuccess(
              entity
                  .withSizeLimit(limit)
                  .toStrict(readTimeout.toMillis(), system)
                  // handle, not exceptionally: Scala's converted future runs exceptionally's
                  // function asynchronously on the common pool, a new thread per call on 2 cores
                  .handle(
                      (strict, failure) -> {
                        if (failure == null) return strict;
                        if (ApiErrors.unwrap(failure) instanceof TimeoutException) {
                          // the client announced more than it sent: its fault, not ours (408, not
                          // 503)
                          throw ApiException.closing(
                              408,
                              "body_timeout",
                              "the body did not arrive within " + readTimeout.toSeconds() + " s",
                              "body");
                        }
                        throw failure instanceof CompletionException c
                            ? c
                            : new CompletionException(failure);
                      }),
              strict -> inner.apply(parse(strict.getData())));
        });
  }

  private JsonNode parse(ByteString data) {
    if (data.isEmpty()) throw ApiException.invalid("body", "body is empty");
    try {
      JsonNode node = mapper.readTree(data.toArray());
      if (node == null || node.isMissingNode()) throw ApiException.invalid("body", "body is empty");
      return node;
    } catch (IOException e) {
      throw new ApiException(
          400, "malformed_json", "body is not valid JSON: " + ApiJson.brief(e), "body");
    }
  }
}
