package dev.freshet.http.routes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.api.Fields;
import dev.freshet.http.edge.Caller;
import dev.freshet.http.edge.Idempotency;
import dev.freshet.http.edge.TraceIds;
import dev.freshet.http.metrics.IngestMetrics;
import dev.freshet.persistence.StoreException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/stream}: WebSocket ingest for long-lived clients (SPEC C1). Each text message is
 * one events batch exactly as the body of {@code POST /v1/events}, plus an optional client {@code
 * "id"} (echoed back) and {@code "idempotencyKey"}. Every message is answered, in the order
 * received:
 *
 * <pre>
 * {"type":"ack","id":"b-7","seq":7,"accepted":12}                       once the batch is durable
 * {"type":"error","id":"b-8","seq":8,"status":429,"error":{"code","message","traceId"},"retryAfterSeconds":20,"closing":false}
 * {"type":"error","id":"b-9","seq":9,"status":400,"error":{"code","message","field","traceId"},"closing":true}
 * </pre>
 *
 * {@code seq} counts the messages of the connection from 1. A batch refused for a reason that may
 * pass (409 idempotency key in flight, 429, 503) leaves the connection open and may be resent. Bad
 * input (binary, too large, not JSON, an invalid batch) ends the connection: nothing of that batch
 * is stored, the server reads no further message, answers the batches already in flight and closes.
 *
 * <p>The close frame itself cannot carry the reason: Pekko HTTP's server API has no way to send a
 * close frame with our own status code or reason. Completing the handler flow always closes with
 * 1000 and no reason, failing it closes with 1011 "internal error" ({@code FrameOutHandler}: {@code
 * UserHandlerCompleted} / {@code UserHandlerErredOut}; the {@code ActivelyCloseWithCode} event is
 * internal). So the error message sent just before a normal close is the close reason, and the
 * handler never fails on purpose, which would tell the client "internal error" instead.
 */
public final class StreamRoutes extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(StreamRoutes.class);
  private static final int MAX_CLIENT_ID_LENGTH = 128;
  private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
  private static final TypeReference<LinkedHashMap<String, Object>> FIELDS =
      new TypeReference<>() {};

  /** {@code freshet.http.stream}. */
  record Settings(int parallelism, Duration readTimeout) {
    static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.http.stream");
      return new Settings(c.getInt("parallelism"), c.getDuration("read-timeout"));
    }
  }

  private final Ingest ingest;
  private final Idempotency idempotency;
  private final ApiErrors errors;
  private final ObjectMapper mapper;
  private final Materializer materializer;
  private final long maxMessageBytes;
  private final Settings settings;

  private final Gauge openConnections;
  private final Counter connections;
  private final Counter messages;

  public StreamRoutes(
      ActorSystem<?> system,
      Ingest ingest,
      Idempotency idempotency,
      ApiErrors errors,
      ObjectMapper mapper,
      long maxMessageBytes,
      PrometheusRegistry registry) {
    this.ingest = ingest;
    this.idempotency = idempotency;
    this.errors = errors;
    this.mapper = mapper;
    this.materializer = Materializer.matFromSystem(system);
    this.maxMessageBytes = maxMessageBytes;
    this.settings = Settings.fromConfig(system.settings().config());
    this.openConnections =
        Gauge.builder()
            .name("freshet_stream_connections_open")
            .help("WebSocket ingest connections open now")
            .register(registry);
    this.connections =
        Counter.builder()
            .name("freshet_stream_connections")
            .help("WebSocket ingest upgrades, by outcome (accepted, refused)")
            .labelNames("outcome")
            .register(registry);
    this.messages =
        Counter.builder()
            .name("freshet_stream_messages")
            .help(
                "WebSocket ingest messages by outcome: ack (durable), retry (429/503, connection kept),"
                    + " rejected (bad input, connection closed), failed (our fault, connection closed)")
            .labelNames("outcome")
            .register(registry);
  }

  /** {@code GET /v1/stream}; a request without a WebSocket upgrade is a 400 that says so. */
  public Route route() {
    return extractRequest(
        request ->
            optionalAttribute(
                AttributeKeys.webSocketUpgrade,
                upgrade ->
                    upgrade
                        .map(u -> complete(u.handleMessagesWith(connection(request))))
                        .orElseGet(
                            () ->
                                complete(
                                    errors.toResponse(
                                        WebSocketText.upgradeRequired("/v1/stream"),
                                        traceId(request))))));
  }

  /**
   * For the edge's authentication: an upgrade request it will not serve (no key, a bad key) gets
   * the WebSocket anyway, one error message with {@code reason} and a close, because a browser's
   * WebSocket API shows neither the status nor the body of a refused upgrade. A request that is not
   * an upgrade gets {@code reason} as an ordinary HTTP error.
   */
  public Route refuse(ApiException reason) {
    return extractRequest(
        request ->
            optionalAttribute(
                AttributeKeys.webSocketUpgrade,
                upgrade ->
                    upgrade
                        .map(
                            u -> {
                              connections.labelValues("refused").inc();
                              Map<String, Object> error =
                                  error(null, null, reason, true, traceId(request));
                              // coupled: once the one message is out, reading stops too and the
                              // socket closes
                              Flow<Message, Message, NotUsed> refusal =
                                  Flow.fromSinkAndSourceCoupled(
                                      Sink.ignore(), Source.single(text(error)));
                              return complete(u.handleMessagesWith(refusal));
                            })
                        .orElseGet(() -> complete(errors.toResponse(reason, traceId(request))))));
  }

  /** The edge's trace id for the request, so that stream errors and log lines can be matched up. */
  private static String traceId(HttpRequest request) {
    return request
        .getAttribute(Caller.ATTRIBUTE)
        .map(Caller::traceId)
        .orElseGet(() -> TraceIds.of(request));
  }

  /**
   * The one place every stream batch goes through, as {@code POST /v1/events} would handle its
   * body; {@code idempotencyKey} is the message's {@code "idempotencyKey"} and {@code request} the
   * upgrade request (its key, its client), for what wraps ingest per request, such as idempotency.
   */
  CompletionStage<Idempotency.Answer> handle(
      HttpRequest request, JsonNode batch, Optional<String> idempotencyKey) {
    // a stream batch is an events batch: the same key on either path is the same batch
    return idempotency.once(
        request.getAttribute(Caller.ATTRIBUTE).orElseThrow(),
        idempotencyKey,
        "/v1/events",
        batch,
        batchId -> ingest.events(batch, IngestMetrics.Source.STREAM, batchId));
  }

  private Flow<Message, Message, NotUsed> connection(HttpRequest request) {
    Connection connection = new Connection(request);
    return Flow.<Message>create()
        .via(connection.stop.flow())
        .zipWithIndex()
        // bounded: at most `parallelism` batches in flight, so a slow journal stops the reading of
        // the
        // socket (TCP backpressure) rather than piling messages up in memory
        .mapAsync(settings.parallelism(), m -> connection.process(m.first(), m.second() + 1))
        .mapConcat(reply -> reply)
        .watchTermination(
            (mat, done) -> {
              connections.labelValues("accepted").inc();
              openConnections.inc();
              done.whenComplete((d, e) -> openConnections.dec());
              return NotUsed.getInstance();
            });
  }

  /** One connection's state: whether it is closing, and the switch that stops its reading. */
  private final class Connection {
    private final HttpRequest request;
    private final String traceId;
    private final SharedKillSwitch stop = KillSwitches.shared("stream-ingest");
    private final AtomicBoolean closing = new AtomicBoolean();

    Connection(HttpRequest request) {
      this.request = request;
      this.traceId = traceId(request);
    }

    /**
     * The reply to message {@code seq}: none when the connection is already closing (the message is
     * not applied, so there is nothing to tell), else one ack or error. A batch that was already in
     * flight when an earlier one turned out to be bad is still answered before the close, so that
     * the client knows exactly which batches are stored.
     */
    CompletionStage<List<Message>> process(Message message, long seq) {
      if (closing.get()) return CompletableFuture.completedFuture(List.of());
      return read(message)
          .handle(
              (text, failure) -> {
                if (failure != null)
                  return CompletableFuture.completedFuture(reject(null, seq, readError(failure)));
                return apply(text, seq);
              })
          .thenCompose(reply -> reply);
    }

    private CompletionStage<List<Message>> apply(String text, long seq) {
      if (closing.get()) return CompletableFuture.completedFuture(List.of());
      ObjectNode body;
      String id;
      Optional<String> idempotencyKey;
      try {
        body = parse(text);
        id = Fields.optionalText(body, "id", "id", MAX_CLIENT_ID_LENGTH).orElse(null);
      } catch (ApiException bad) {
        return CompletableFuture.completedFuture(reject(null, seq, bad));
      }
      try {
        idempotencyKey =
            Fields.optionalText(
                body, "idempotencyKey", "idempotencyKey", MAX_IDEMPOTENCY_KEY_LENGTH);
      } catch (ApiException bad) {
        return CompletableFuture.completedFuture(reject(id, seq, bad));
      }
      // the rest is exactly a POST /v1/events body (whose parser ignores fields it does not know)
      body.remove("id");
      body.remove("idempotencyKey");
      CompletionStage<Idempotency.Answer> answer;
      try {
        answer = handle(request, body, idempotencyKey);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      return answer.handle(
          (a, failure) -> failure == null ? ack(id, seq, a) : failed(id, seq, failure));
    }

    private List<Message> ack(String id, long seq, Idempotency.Answer answer) {
      messages.labelValues("ack").inc();
      Map<String, Object> ack = new LinkedHashMap<>();
      ack.put("type", "ack");
      if (id != null) ack.put("id", id);
      ack.put("seq", seq);
      ack.putAll(mapper.convertValue(answer.body(), FIELDS)); // the ingest answer's, in order
      if (answer.replayed()) ack.put("replayed", true);
      return List.of(text(ack));
    }

    /**
     * What ApiErrors answers over HTTP, except that only bad input (and our bugs) end the
     * connection.
     */
    private List<Message> failed(String id, long seq, Throwable failure) {
      Throwable e = ApiErrors.unwrap(failure);
      if (e instanceof ApiException api) {
        // 409: the same idempotency key is being applied right now; the resend will get its answer
        boolean mayPass = api.status() == 409 || api.status() == 429 || api.status() >= 500;
        return mayPass ? retry(id, seq, api) : reject(id, seq, api);
      }
      if (e instanceof TimeoutException) {
        log.warn("Stream batch timed out: {}", e.getMessage());
        return retry(
            id,
            seq,
            new ApiException(
                503, "unavailable", "the batch timed out inside Freshet; resend it", null));
      }
      if (e instanceof StoreException || e instanceof StatusReply.ErrorMessage) {
        log.error("Stream batch failed on a dependency", e);
        return retry(
            id,
            seq,
            new ApiException(
                503, "unavailable", "storage is unavailable; resend the batch later", null));
      }
      // a bug of ours: whether the batch is stored is unknown, so stop rather than guess
      log.error("Stream batch failed unexpectedly", e);
      messages.labelValues("failed").inc();
      close();
      return List.of(
          text(
              error(
                  id,
                  seq,
                  new ApiException(500, "internal", "internal error", null),
                  true,
                  traceId)));
    }

    private List<Message> retry(String id, long seq, ApiException reason) {
      messages.labelValues("retry").inc();
      return List.of(text(error(id, seq, reason, false, traceId)));
    }

    private List<Message> reject(String id, long seq, ApiException reason) {
      messages.labelValues("rejected").inc();
      close();
      return List.of(text(error(id, seq, reason, true, traceId)));
    }

    /**
     * Stops reading: messages not yet started are never applied, those in flight are answered, then
     * the handler completes and Pekko sends the close frame.
     */
    private void close() {
      closing.set(true);
      stop.shutdown();
    }
  }

  /** The whole text of a message, within the message size limit and the read timeout. */
  private CompletionStage<String> read(Message message) {
    return WebSocketText.read(
        message, maxMessageBytes, settings.readTimeout(), materializer, "message");
  }

  private ApiException readError(Throwable failure) {
    Throwable e = ApiErrors.unwrap(failure);
    if (e instanceof ApiException api) return api;
    if (e instanceof StreamLimitReachedException) {
      return new ApiException(
          413, "body_too_large", "message exceeds " + maxMessageBytes + " bytes", "message");
    }
    if (e instanceof TimeoutException) {
      return new ApiException(
          408,
          "message_timeout",
          "message not complete within " + settings.readTimeout().toMillis() + " ms",
          "message");
    }
    log.warn("Could not read a stream message", e);
    return new ApiException(400, "unreadable_message", "message could not be read", "message");
  }

  private ObjectNode parse(String text) {
    if (text.isBlank()) throw ApiException.invalid("message", "message is empty");
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (IOException e) {
      throw new ApiException(
          400, "malformed_json", "message is not valid JSON: " + ApiJson.brief(e), "message");
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.invalid(
          "message", "message must be a JSON object like the body of POST /v1/events");
    }
    return object;
  }

  /**
   * The error JSON of API.md (as over HTTP) in a stream message, with what a client needs to react.
   */
  private static Map<String, Object> error(
      String id, Long seq, ApiException reason, boolean closing, String traceId) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", reason.code());
    error.put("message", reason.getMessage());
    if (reason.field() != null) error.put("field", reason.field());
    error.put("traceId", traceId);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "error");
    if (id != null) message.put("id", id);
    if (seq != null) message.put("seq", seq);
    message.put("status", reason.status());
    message.put("error", error);
    if (reason.retryAfterSeconds() > 0)
      message.put("retryAfterSeconds", reason.retryAfterSeconds());
    message.put("closing", closing);
    return message;
  }

  private TextMessage text(Map<String, Object> json) {
    return WebSocketText.json(mapper, json);
  }
}
