package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.edge.Caller;
import dev.freshet.http.edge.Endpoints;
import dev.freshet.http.edge.Idempotency;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A write under its optional {@code Idempotency-Key} header, for the routes that take one (ingest
 * and catalog upserts): a replay gets the first answer, marked {@code Idempotent-Replayed: true}.
 */
public final class IdempotentRequests extends ApiRoutes {

  private final Idempotency idempotency;

  public IdempotentRequests(Idempotency idempotency, ObjectMapper mapper) {
    super(mapper);
    this.idempotency = idempotency;
  }

  /**
   * The key as a query parameter, for {@code navigator.sendBeacon}, which cannot set headers: the
   * same as the header, which wins when both are given alike.
   */
  public static final String QUERY_PARAMETER = "idempotency_key";

  /**
   * {@code work} once per key for the request {@code body} to {@code route}, given the request's
   * batch id ({@link Idempotency#once}).
   */
  Route once(String route, JsonNode body, LongFunction<CompletionStage<Idempotency.Answer>> work) {
    return extractRequest(
        request ->
            optionalHeaderValueByName(
                Idempotency.HEADER,
                header ->
                    onSuccess(
                        idempotency.once(
                            request.getAttribute(Caller.ATTRIBUTE).orElseThrow(),
                            key(header, request.getUri().query().get(QUERY_PARAMETER), route),
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

  private static Optional<String> key(
      Optional<String> header, Optional<String> query, String route) {
    if (query.isEmpty() || !Endpoints.BEACON_PATHS.contains(route)) return header;
    Idempotency.checkKey(QUERY_PARAMETER, query.get());
    if (header.isPresent() && !header.get().equals(query.get())) {
      throw ApiException.invalid(
          QUERY_PARAMETER,
          QUERY_PARAMETER + " and the " + Idempotency.HEADER + " header differ: send one of them");
    }
    return query;
  }
}
