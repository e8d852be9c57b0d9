package dev.freshet.http.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.freshet.actors.user.BatchIds;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.persistence.Hashes;
import dev.freshet.persistence.JdbcIdempotency;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Idempotency-Key} on ingest and catalog upserts (API.md): the first request with a key
 * claims it in PostgreSQL, applies its batch and stores the answer before sending it; a repeat gets
 * the stored answer and changes nothing, on any node and after any restart. Keys belong to the
 * caller (its API key), so two clients cannot collide, and are kept for {@code
 * freshet.idempotency.ttl}.
 *
 * <p>Keys beginning with {@code import-} ({@code bin/freshet import}) are content-addressed
 * instead: they belong to the request's hash, so any API key replays them (a re-run of an import
 * after its key was replaced still changes nothing) and a different request under the same key is a
 * request of its own, never a 422. They are kept for {@code import-ttl}, as history is imported
 * again long after a day.
 */
public final class Idempotency {

  /**
   * An answer that an Idempotency-Key can replay: the HTTP status it is sent with, its body (an
   * {@link IngestAnswer}, or the stored JSON of the first answer to a replayed Idempotency-Key),
   * and whether it is such a replay.
   */
  public record Answer(int status, Object body, boolean replayed) {
    public Answer(int status, Object body) {
      this(status, body, false);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Idempotency.class);
  public static final String HEADER = "Idempotency-Key";

  /** The prefix of content-addressed keys (see above). */
  public static final String IMPORT_PREFIX = "import-";

  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  record Settings(
      Duration ttl, Duration importTtl, Duration takeoverAfter, Duration purgeInterval) {
    static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.idempotency");
      return new Settings(
          c.getDuration("ttl"),
          c.getDuration("import-ttl"),
          c.getDuration("takeover-after"),
          c.getDuration("purge-interval"));
    }
  }

  private final JdbcIdempotency store;
  private final Executor blocking;
  private final ObjectMapper mapper;
  private final Settings settings;

  private Idempotency(
      JdbcIdempotency store, Executor blocking, ObjectMapper mapper, Settings settings) {
    this.store = store;
    this.blocking = blocking;
    this.mapper = mapper;
    this.settings = settings;
  }

  /** Idempotency over {@code dataSource}; expired keys are purged every {@code purge-interval}. */
  static Idempotency start(
      ActorSystem<?> system,
      DataSource dataSource,
      Executor blocking,
      ObjectMapper mapper,
      Settings settings) {
    Idempotency idempotency =
        new Idempotency(new JdbcIdempotency(dataSource), blocking, mapper, settings);
    system
        .scheduler()
        .scheduleWithFixedDelay(
            settings.purgeInterval(),
            settings.purgeInterval(),
            idempotency::purge,
            system.executionContext());
    return idempotency;
  }

  private void purge() {
    CompletableFuture.runAsync(
        () -> {
          try {
            int purged = store.purgeOlderThan(settings.ttl(), settings.importTtl());
            if (purged > 0)
              log.info(
                  "Purged {} idempotency keys older than {} (imports' older than {})",
                  purged,
                  settings.ttl(),
                  settings.importTtl());
          } catch (RuntimeException e) {
            log.warn("Purging idempotency keys failed; retrying at the next interval", e);
          }
        },
        blocking);
  }

  /**
   * Runs {@code work} once per ({@code caller}, {@code key}): without a key it simply runs; with
   * one, a repeat of the same request gets the first answer, a different request under the same key
   * is a 422 and a repeat while the first is still being applied is a 409.
   *
   * <p>{@code work} is given the request's batch id (0 without a key), which the user entities
   * remember: a write whose answer was lost (a timeout gives the key back here, though the entity
   * may have written the batch) is not applied twice when it is sent again.
   */
  public CompletionStage<Answer> once(
      Caller caller,
      Optional<String> key,
      String route,
      JsonNode request,
      LongFunction<CompletionStage<Answer>> work) {
    if (key.isEmpty()) return work.apply(0L);
    String k = checkKey(HEADER, key.get());
    String hash = Hashes.sha256(bytes(request));
    String owner = k.startsWith(IMPORT_PREFIX) ? JdbcIdempotency.importOwner(hash) : caller.owner();
    return CompletableFuture.supplyAsync(
            () -> store.claim(owner, k, route, hash, settings.takeoverAfter()), blocking)
        .thenCompose(
            claim -> {
              if (claim instanceof JdbcIdempotency.Replay replay) {
                return CompletableFuture.completedFuture(
                    new Answer(replay.status(), parse(replay.response()), true));
              }
              if (claim instanceof JdbcIdempotency.InFlight) {
                throw new ApiException(
                    409,
                    "idempotency_key_in_flight",
                    "a request with this " + HEADER + " is being applied; retry shortly",
                    HEADER);
              }
              if (claim instanceof JdbcIdempotency.Mismatch) {
                throw new ApiException(
                    422,
                    "idempotency_key_reused",
                    HEADER + " " + k + " was already used for a different request",
                    HEADER);
              }
              return apply(owner, k, work, batchId(owner, k, hash));
            });
  }

  /** {@code key} if it is one an Idempotency-Key may be, else a 400 naming {@code field}. */
  public static String checkKey(String field, String key) {
    if (!KEY.matcher(key).matches()) {
      throw ApiException.invalid(field, field + " must be 1 to 255 visible ASCII characters");
    }
    return key;
  }

  /**
   * The batch id of a request under a key: never 0, the same on every node and after any restart,
   * and different for a different request under the same key (once the key's row is purged, a key
   * may be used again).
   */
  static long batchId(String owner, String key, String requestSha256) {
    return BatchIds.of(owner + "\n" + key + "\n" + requestSha256);
  }

  private CompletionStage<Answer> apply(
      String owner, String key, LongFunction<CompletionStage<Answer>> work, long batchId) {
    CompletionStage<Answer> applied;
    try {
      applied = work.apply(batchId);
    } catch (RuntimeException e) {
      applied = CompletableFuture.failedFuture(e);
    }
    return applied
        .handle(
            (answer, failure) -> {
              if (failure != null) {
                // nothing durable was acknowledged: give the key back so that a retry may apply it
                return CompletableFuture.runAsync(() -> store.release(owner, key), blocking)
                    .handle(
                        (done, releaseFailure) -> {
                          throw new CompletionException(ApiErrors.unwrap(failure));
                        })
                    .thenApply(x -> (Answer) x);
              }
              return CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      store.complete(
                          owner,
                          key,
                          answer.status(),
                          new String(bytes(answer.body()), StandardCharsets.UTF_8));
                    } catch (RuntimeException e) {
                      // the batch is durable, so the client still hears so; a repeat will wait for
                      // the takeover
                      log.warn("Storing the answer for an idempotency key failed", e);
                    }
                    return answer;
                  },
                  blocking);
            })
        .thenCompose(stage -> stage);
  }

  private byte[] bytes(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("not serializable", e);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> parse(String response) {
    try {
      return mapper.readValue(response, LinkedHashMap.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored idempotent answer is not JSON", e);
    }
  }
}
