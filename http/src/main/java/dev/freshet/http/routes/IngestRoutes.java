package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.edge.Caller;
import dev.freshet.http.edge.Idempotency;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/impressions} and {@code POST /v1/events}: a batch, as JSON or a sendBeacon body,
 * under its optional Idempotency-Key, answered once every user's part is durable.
 */
public final class IngestRoutes extends ApiRoutes {

  private final Ingest ingest;
  private final Idempotency idempotency;
  private final JsonBodies bodies;

  public IngestRoutes(
      Ingest ingest, Idempotency idempotency, JsonBodies bodies, ObjectMapper mapper) {
    super(mapper);
    this.ingest = ingest;
    this.idempotency = idempotency;
    this.bodies = bodies;
  }

  /** The routes below {@code /v1}. */
  public Route routes() {
    return concat(
        path(
            "impressions",
            () ->
                post(
                    () ->
                        bodies.beacon(
                            body ->
                                idempotent(
                                    "/v1/impressions", body, () -> ingest.impressions(body))))),
        path(
            "events",
            () ->
                post(
                    () ->
                        bodies.beacon(
                            body -> idempotent("/v1/events", body, () -> ingest.events(body))))));
  }

  /**
   * An ingest batch under its optional Idempotency-Key: a replay gets the first answer, marked as
   * one.
   */
  private Route idempotent(
      String route, JsonNode body, Supplier<CompletionStage<Idempotency.Answer>> work) {
    return extractRequest(
        request ->
            optionalHeaderValueByName(
                Idempotency.HEADER,
                key ->
                    onSuccess(
                        idempotency.once(
                            request.getAttribute(Caller.ATTRIBUTE).orElseThrow(),
                            key,
                            route,
                            body,
                            work),
                        answer -> {
                          HttpResponse response =
                              ApiJson.response(mapper, answer.status(), answer.body());
                          return complete(
                              answer.replayed()
                                  ? response.addHeader(
                                      RawHeader.create("Idempotent-Replayed", "true"))
                                  : response);
                        })));
  }
}
