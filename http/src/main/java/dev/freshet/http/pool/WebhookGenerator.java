package dev.freshet.http.pool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.pool.GenerationRequest;
import dev.freshet.actors.pool.PoolGenerator;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.api.ItemsRequest;
import dev.freshet.http.api.TimeWindow;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PoolGenerator} that asks an external service: it POSTs the request as JSON to {@code
 * freshet.pool.webhook.url} and takes back a {@code POST /v1/items} body, validated exactly as the
 * edge validates one.
 *
 * <p>Every failed stage fails with a {@link WebhookException} whose message is meant for operators
 * (the coordinator shows it as the request's failure reason).
 */
public final class WebhookGenerator implements PoolGenerator {

  private static final Logger log = LoggerFactory.getLogger(WebhookGenerator.class);

  /** {@code freshet.pool.webhook}. {@code token} is empty when no Authorization header is sent. */
  public record Settings(
      String url,
      String token,
      Duration timeout,
      int attempts,
      Duration minBackoff,
      Duration maxBackoff,
      double randomFactor,
      int maxFailures,
      Duration resetTimeout,
      long maxResponseBytes,
      TimeWindow timeWindow) {

    public Settings {
      url = url == null ? "" : url.strip();
      token = token == null ? "" : token.strip();
      if (attempts < 1)
        throw new IllegalArgumentException("freshet.pool.webhook.attempts must be at least 1");
      if (!positive(timeout))
        throw new IllegalArgumentException("freshet.pool.webhook.timeout must be positive");
      // Patterns.retry's own requirements, checked here so a bad config fails at start, not on
      // first use
      if (!positive(minBackoff) || maxBackoff == null || maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException(
            "freshet.pool.webhook needs 0 < min-backoff <= max-backoff");
      }
      if (!(randomFactor >= 0 && randomFactor <= 1)) {
        throw new IllegalArgumentException(
            "freshet.pool.webhook.random-factor must be between 0 and 1");
      }
      if (maxFailures < 1)
        throw new IllegalArgumentException(
            "freshet.pool.webhook.breaker.max-failures must be at least 1");
      if (!positive(resetTimeout)) {
        throw new IllegalArgumentException(
            "freshet.pool.webhook.breaker.reset-timeout must be positive");
      }
      if (maxResponseBytes < 1)
        throw new IllegalArgumentException("the response size limit must be positive");
    }

    /**
     * Reads {@code freshet.pool.webhook} from the application's root config; responses may be as
     * large as a catalog upsert ({@code freshet.http.max-catalog-body-size}), which is what they
     * are.
     */
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.pool.webhook");
      return new Settings(
          c.getString("url"),
          c.getString("token"),
          c.getDuration("timeout"),
          c.getInt("attempts"),
          c.getDuration("min-backoff"),
          c.getDuration("max-backoff"),
          c.getDouble("random-factor"),
          c.getInt("breaker.max-failures"),
          c.getDuration("breaker.reset-timeout"),
          config.getBytes("freshet.http.max-catalog-body-size"),
          TimeWindow.fromConfig(config));
    }

    /** Never prints the token: settings end up in logs. */
    @Override
    public String toString() {
      return "Settings[url="
          + url
          + ", token="
          + (token.isEmpty() ? "none" : "***")
          + ", timeout="
          + timeout
          + ", attempts="
          + attempts
          + ", minBackoff="
          + minBackoff
          + ", maxBackoff="
          + maxBackoff
          + ", randomFactor="
          + randomFactor
          + ", maxFailures="
          + maxFailures
          + ", resetTimeout="
          + resetTimeout
          + ", maxResponseBytes="
          + maxResponseBytes
          + "]";
    }

    private static boolean positive(Duration d) {
      return d != null && !d.isZero() && !d.isNegative();
    }
  }

  /** How a generate() call failed, in words for operators. */
  public static final class WebhookException extends RuntimeException {
    WebhookException(String message, Throwable cause) {
      super(message, cause, false, false); // an outcome to report, not a bug: no stack trace
    }
  }

  private final ActorSystem<?> system;
  private final Settings settings;
  private final int embeddingDimension;
  private final ObjectMapper mapper = ApiJson.mapper();
  private final Http http;
  private final ConnectionPoolSettings poolSettings;
  private final CircuitBreaker breaker;

  public WebhookGenerator(ActorSystem<?> system, Settings settings, int embeddingDimension) {
    this.system = system;
    this.settings = settings;
    this.embeddingDimension = embeddingDimension;
    checkUrl(settings.url());
    this.http = Http.get(system);
    this.poolSettings =
        ConnectionPoolSettings.create(system.classicSystem())
            // POST is not idempotent, so the pool would not retry it anyway; say so, as all
            // retrying is ours
            .withMaxRetries(0)
            // The breaker abandons an attempt after `timeout`, but the request would still hold a
            // pooled
            // connection until the server answered. Idling that long closes the connection instead.
            .withConnectionSettings(
                ClientConnectionSettings.create(system.classicSystem())
                    .withIdleTimeout(settings.timeout()));
    // The breaker's call timeout is the per-attempt timeout: an attempt that overruns it is a
    // failure the
    // breaker counts, and its future is failed at once however the HTTP exchange is doing.
    this.breaker =
        CircuitBreaker.create(
            system.classicSystem().scheduler(),
            settings.maxFailures(),
            settings.timeout(),
            settings.resetTimeout());
    // close the client's pools in order, before the ActorSystem tears them down mid-flight
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "webhook-generator-pools",
            () -> http.shutdownAllConnectionPools().thenApply(done -> Done.getInstance()));
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public CompletionStage<List<ItemUpsert>> generate(GenerationRequest request) {
    byte[] body;
    try {
      body = requestBody(request);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(
          new WebhookException("could not write the webhook request: " + ApiJson.brief(e), e));
    }
    Call call = new Call(request.id());
    // Retries sit OUTSIDE the breaker: each attempt is one breaker call. A dead endpoint thus opens
    // the
    // breaker after max-failures attempts (across all requests), and from then on attempts, this
    // call's
    // remaining ones included, fail fast instead of each waiting out a timeout against it. Retrying
    // inside
    // one breaker call would count a whole retried call as a single failure and hide the endpoint's
    // state.
    // Pekko's `attempts` counts the retries after the first try.
    CompletionStage<List<ItemUpsert>> retried =
        Patterns.retry(
            () -> attempt(call, body),
            (items, failure) -> failure != null && classify(failure).retryable,
            settings.attempts() - 1,
            settings.minBackoff(),
            settings.maxBackoff(),
            settings.randomFactor(),
            system);
    CompletableFuture<List<ItemUpsert>> result = new CompletableFuture<>();
    retried.whenComplete(
        (items, failure) -> {
          if (failure == null) result.complete(items);
          else result.completeExceptionally(call.outcome(classify(failure)));
        });
    return result;
  }

  // ---- one attempt
  // -----------------------------------------------------------------------------------

  /** What one generate() call has been through so far, for its log lines and final message. */
  private static final class Call {
    final String requestId;
    final AtomicInteger attempts = new AtomicInteger();

    /** Attempts that reached the endpoint (not refused by an open breaker). */
    final AtomicInteger sent = new AtomicInteger();

    /**
     * The last failure the endpoint itself caused, reported with a breaker that opened after it.
     */
    final AtomicReference<AttemptFailure> lastSent = new AtomicReference<>();

    Call(String requestId) {
      this.requestId = requestId;
    }

    WebhookException outcome(AttemptFailure last) {
      if (last.breakerOpen && lastSent.get() != null) {
        AttemptFailure before = lastSent.get();
        return new WebhookException(
            before.message(sent.get()) + "; " + last.message(1), before.getCause());
      }
      return new WebhookException(last.message(last.breakerOpen ? 1 : sent.get()), last.getCause());
    }
  }

  private CompletionStage<List<ItemUpsert>> attempt(Call call, byte[] body) {
    int n = call.attempts.incrementAndGet();
    return breaker
        .callWithCircuitBreakerCS(
            () -> {
              call.sent.incrementAndGet();
              return exchange(body);
            },
            // Only an unhealthy endpoint (5xx, timeout, unreachable) counts towards opening the
            // breaker: an
            // endpoint answering 4xx or a bad body is up and quick, and opening would not protect
            // it.
            (items, failure) -> failure.map(f -> classify(f).retryable).orElse(false))
        .whenComplete(
            (items, failure) -> {
              if (failure == null) return;
              AttemptFailure f = classify(failure);
              if (!f.breakerOpen) call.lastSent.set(f);
              log.warn(
                  "Pool webhook attempt {}/{} for request {} failed: {}",
                  n,
                  settings.attempts(),
                  call.requestId,
                  f.getMessage());
            });
  }

  /**
   * The HTTP exchange; fails with an {@link AttemptFailure} saying whether another attempt may
   * help.
   */
  private CompletionStage<List<ItemUpsert>> exchange(byte[] body) {
    HttpRequest post =
        HttpRequest.POST(settings.url())
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))
            .addHeader(Accept.create(MediaTypes.APPLICATION_JSON.toRange()));
    if (!settings.token().isEmpty()) post = post.addHeader(Authorization.oauth2(settings.token()));
    return http.singleRequest(
            post, http.defaultClientHttpsContext(), poolSettings, system.classicSystem().log())
        .thenCompose(this::answer);
  }

  private CompletionStage<List<ItemUpsert>> answer(HttpResponse response) {
    int status = response.status().intValue();
    // Always read the entity, whatever the status: an unread entity keeps its pooled connection
    // busy.
    return response
        .entity()
        .withSizeLimit(settings.maxResponseBytes())
        .toStrict(settings.timeout().toMillis(), system)
        .handle(
            (strict, failure) -> {
              if (failure != null) throw unreadable(failure);
              if (status >= 500) {
                throw AttemptFailure.retryable(
                    "webhook answered " + status,
                    n -> "webhook answered " + status + " after " + n + " attempts",
                    null);
              }
              if (status < 200 || status >= 300) {
                throw AttemptFailure.permanent(
                    "webhook answered " + status + excerpt(strict.getData()) + " (not retried)",
                    null);
              }
              return items(strict.getData());
            });
  }

  private AttemptFailure unreadable(Throwable failure) {
    Throwable cause = ApiErrors.unwrap(failure);
    if (cause instanceof EntityStreamSizeException) {
      return AttemptFailure.permanent(
          "webhook answered with more than " + settings.maxResponseBytes() + " bytes", cause);
    }
    return classify(cause); // a timeout or a broken connection while reading: worth another attempt
  }

  private List<ItemUpsert> items(ByteString data) {
    if (data.isEmpty()) throw AttemptFailure.permanent("webhook answered with an empty body", null);
    JsonNode node;
    try {
      node = mapper.readTree(data.toArray());
    } catch (IOException e) {
      throw AttemptFailure.permanent(
          "webhook answered with invalid JSON: " + ApiJson.brief(e), null);
    }
    try {
      return ItemsRequest.parse(
          node, embeddingDimension, settings.timeWindow(), System.currentTimeMillis());
    } catch (ApiException e) {
      // the message names the field at fault, e.g. "items[3].category is required"
      throw AttemptFailure.permanent(
          "webhook answered with an invalid items body: " + e.getMessage(), null);
    }
  }

  private byte[] requestBody(GenerationRequest request) throws JsonProcessingException {
    return mapper.writeValueAsBytes(WebhookRequest.of(request));
  }

  /**
   * What the webhook is sent: the coordinator's request in the webhook's terms ({@code category}
   * {@code null} = any).
   */
  record WebhookRequest(
      String requestId,
      String category,
      int count,
      boolean urgent,
      int users,
      String reason,
      int attempt) {
    static WebhookRequest of(GenerationRequest r) {
      return new WebhookRequest(
          r.id(), r.category(), r.count(), r.urgent(), r.users(), r.reason(), r.attempt());
    }
  }

  // ---- failures
  // --------------------------------------------------------------------------------------

  /**
   * One attempt's failure. {@code repeated} words it, given their number, when it ended a call of
   * several attempts.
   */
  private static final class AttemptFailure extends RuntimeException {
    final boolean retryable;
    final boolean breakerOpen;
    private final IntFunction<String> repeated;

    private AttemptFailure(
        String message,
        IntFunction<String> repeated,
        boolean retryable,
        boolean breakerOpen,
        Throwable cause) {
      super(message, cause, false, false);
      this.repeated = repeated;
      this.retryable = retryable;
      this.breakerOpen = breakerOpen;
    }

    static AttemptFailure retryable(String message, IntFunction<String> repeated, Throwable cause) {
      return new AttemptFailure(message, repeated, true, false, cause);
    }

    static AttemptFailure permanent(String message, Throwable cause) {
      return new AttemptFailure(message, null, false, false, cause);
    }

    String message(int attempts) {
      return attempts > 1 && repeated != null ? repeated.apply(attempts) : getMessage();
    }
  }

  private AttemptFailure classify(Throwable failure) {
    Throwable cause = ApiErrors.unwrap(failure);
    if (cause instanceof AttemptFailure f) return f;
    if (cause instanceof CircuitBreakerOpenException open) {
      long remaining = open.remainingDuration().toMillis();
      String base = "circuit breaker open (" + settings.maxFailures() + " consecutive failures); ";
      return new AttemptFailure(
          base
              + (remaining > 0
                  ? "retrying after " + human(Duration.ofMillis(remaining))
                  : "a trial call is under way"),
          null,
          false,
          true,
          null);
    }
    if (cause instanceof TimeoutException) {
      // the breaker's call timeout, the connection's idle timeout, or toStrict's: all are `timeout`
      String after = human(settings.timeout());
      return AttemptFailure.retryable(
          "webhook timed out after " + after,
          n -> "webhook timed out after " + after + " (" + n + " attempts)",
          cause);
    }
    String why = rootMessage(cause);
    return AttemptFailure.retryable(
        "webhook unreachable (" + why + ")",
        n -> "webhook unreachable (" + why + ") after " + n + " attempts",
        cause);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return Optional.ofNullable(root.getMessage()).orElse(root.getClass().getSimpleName());
  }

  /** The start of an error body, on one line: webhooks often say there what they disliked. */
  private static String excerpt(ByteString data) {
    String text =
        data.take(200).decodeString(StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    return text.isEmpty() ? "" : ": " + text + (data.size() > 200 ? "…" : "");
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) return ms + "ms";
    if (ms % 1000 == 0 || ms >= 10_000) return ((ms + 999) / 1000) + "s";
    return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  private static void checkUrl(String url) {
    if (url.isEmpty()) {
      throw new IllegalArgumentException(
          "freshet.pool.webhook.url is not set (FRESHET_POOL_WEBHOOK_URL)");
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("freshet.pool.webhook.url is not a URL: " + url);
    }
    if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException("freshet.pool.webhook.url must be an http(s) URL: " + url);
    }
  }
}
