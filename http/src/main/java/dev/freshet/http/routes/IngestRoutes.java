package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.JsonBodies;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/impressions} and {@code POST /v1/events}: a batch, as JSON or a sendBeacon body,
 * under its optional Idempotency-Key, answered once every user's part is durable.
 */
public final class IngestRoutes extends ApiRoutes {

  private final Ingest ingest;
  private final IdempotentRequests idempotent;
  private final JsonBodies bodies;

  public IngestRoutes(
      Ingest ingest, IdempotentRequests idempotent, JsonBodies bodies, ObjectMapper mapper) {
    super(mapper);
    this.ingest = ingest;
    this.idempotent = idempotent;
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
                                idempotent.once(
                                    "/v1/impressions",
                                    body,
                                    batchId -> ingest.impressions(body, batchId))))),
        path(
            "events",
            () ->
                post(
                    () ->
                        bodies.beacon(
                            body ->
                                idempotent.once(
                                    "/v1/events",
                                    body,
                                    batchId -> ingest.events(body, batchId))))));
  }
}
