package dev.freshet.cluster.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Sends batches to a running node over HTTP and waits out what is worth waiting for: a 429 for its
 * {@code Retry-After}, and a 409 (the batch's key is being applied: a previous run died with it in
 * flight), a 5xx or a failed connection with back-off. Every retry carries the same
 * Idempotency-Key, so a batch that was applied but whose answer was lost is answered from the store
 * and not applied twice.
 */
public final class ImportClient {

  /** What the node made of a batch in the end. */
  public sealed interface Answer {}

  /** Applied now, or ({@code replayed}) already by an earlier run; {@code body} is the answer. */
  public record Applied(JsonNode body, boolean replayed) implements Answer {}

  /** A refusal that no retry can change (bad input, a key without the scope). */
  public record Refused(int status, String code, String message, String field) implements Answer {}

  /** The node could not be reached, or kept failing, through every retry. */
  public static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  /**
   * How often to try: {@code attempts} in all for failures, with back-off doubling from {@code
   * backoff} up to {@code maxBackoff}; and up to {@code rateLimitedWaits} waits on 429s per batch.
   */
  public record Retries(int attempts, Duration backoff, Duration maxBackoff, int rateLimitedWaits) {
    /** About a minute and a half of failures (a node restarting; a dead run's claim taken over). */
    public static final Retries DEFAULT =
        new Retries(8, Duration.ofMillis(500), Duration.ofSeconds(30), 600);
  }

  /** Told about every wait, for the progress lines and the summary. */
  public interface Listener {
    /** A 429: the client waits {@code wait}, as the node's Retry-After says. */
    void rateLimited(Duration wait);

    /** A failure worth retrying: the client tries again after {@code backoff}. */
    void retrying(String failure, Duration backoff);
  }

  /** How the client waits; tests wait for nothing. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final String base;
  private final Optional<String> apiKey;
  private final Retries retries;
  private final Listener listener;
  private final Sleeper sleeper;

  /**
   * @param base the node's scheme, host and port, such as {@code http://localhost:8080}
   */
  public ImportClient(
      URI base, Optional<String> apiKey, Retries retries, Listener listener, Sleeper sleeper) {
    this.base = base.toString().replaceAll("/+$", "");
    this.apiKey = apiKey;
    this.retries = retries;
    this.listener = listener;
    this.sleeper = sleeper;
  }

  /**
   * Whether anything answers at the node's address ({@code /health/alive}, which needs no key):
   * checked once before the first batch, so that a wrong {@code --url} or a stopped node is told at
   * once rather than after a batch's minute and a half of retries.
   */
  public void requireReachable() throws Unavailable, InterruptedException {
    try {
      http.send(
          HttpRequest.newBuilder(URI.create(base + "/health/alive"))
              .timeout(Duration.ofSeconds(10))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new Unavailable(
          "no node answers at " + base + " (" + e + "); is it running? (--url) Nothing was sent.");
    }
  }

  /** Sends {@code batch} until the node applies, replays or refuses it. */
  public Answer send(ImportBatches.Batch batch) throws Unavailable, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + batch.kind().path()))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", batch.key())
            .POST(HttpRequest.BodyPublishers.ofByteArray(batch.body()));
    apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
    HttpRequest built = request.build();
    int failures = 0, rateLimited = 0;
    Duration backoff = retries.backoff();
    while (true) {
      String failure;
      try {
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return new Applied(
              json(response.body()),
              response.headers().firstValue("Idempotent-Replayed").isPresent());
        }
        if (status == 429) {
          if (++rateLimited > retries.rateLimitedWaits()) {
            throw new Unavailable(
                "still rate-limited after "
                    + (rateLimited - 1)
                    + " waits for one batch. Batches answered before are imported; a re-run"
                    + " replays them and sends the rest.");
          }
          Duration wait =
              Duration.ofSeconds(
                  response
                      .headers()
                      .firstValue("Retry-After")
                      .map(ImportClient::seconds)
                      .orElse(1L));
          listener.rateLimited(wait);
          sleeper.sleep(wait);
          continue;
        }
        if (status != 409 && status < 500) return refused(status, response.body());
        String message = error(response.body()).path("message").asText("");
        failure = "the node answered " + status + (message.isEmpty() ? "" : ": " + message);
      } catch (IOException e) {
        failure = "cannot reach " + base + ": " + e;
      }
      if (++failures >= retries.attempts()) {
        throw new Unavailable(
            failure
                + " ("
                + failures
                + " attempts). Batches answered before are imported; a re-run replays them and"
                + " sends the rest.");
      }
      listener.retrying(failure, backoff);
      sleeper.sleep(backoff);
      backoff = backoff.multipliedBy(2);
      if (backoff.compareTo(retries.maxBackoff()) > 0) backoff = retries.maxBackoff();
    }
  }

  private static Refused refused(int status, String body) {
    JsonNode error = error(body);
    return new Refused(
        status,
        error.path("code").asText(""),
        error.path("message").asText(body),
        error.path("field").isTextual() ? error.path("field").asText() : null);
  }

  /** The {@code error} object of an error answer; a missing node when the body is not one. */
  private static JsonNode error(String body) {
    return json(body).path("error");
  }

  private static JsonNode json(String body) {
    try {
      JsonNode json = JSON.readTree(body);
      return json == null ? JSON.missingNode() : json;
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  private static long seconds(String retryAfter) {
    try {
      return Math.max(1, Long.parseLong(retryAfter.strip()));
    } catch (NumberFormatException e) {
      return 1; // an HTTP date: Freshet sends seconds, so this is not Freshet; wait a little
    }
  }
}
