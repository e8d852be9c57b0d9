package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.edge.Caller;
import dev.freshet.http.edge.Idempotency;
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
   * {@code work} once per key for the request {@code body} to {@code route}, given the request's
   * batch id ({@link Idempotency#once}).
   */
  Route once(String route, JsonNode body, LongFunction<CompletionStage<Idempotency.Answer>> work) {
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
