package dev.freshet.qdrant;

import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code freshet.vectors.qdrant}: where Qdrant is and how the node uses it (see reference.conf).
 * The API key comes from the environment ({@code FRESHET_QDRANT_API_KEY}) only, never from a
 * configuration file, and never appears in {@link #toString()}.
 *
 * @param url empty when Qdrant is not used; otherwise {@code http://host[:port]} (plaintext) or
 *     {@code https://host[:port]} (TLS), port 6334 by default
 */
public record QdrantSettings(
    String url,
    Optional<String> apiKey,
    String collection,
    int dimension,
    String distance,
    Duration requestTimeout,
    Duration syncTimeout,
    int upsertBatchSize,
    Duration retryBackoffMin,
    Duration retryBackoffMax,
    int maxExcludedIds,
    int maxOverFetch,
    int breakerMaxFailures,
    Duration breakerResetTimeout) {

  public static final String API_KEY_ENV = "FRESHET_QDRANT_API_KEY";
  private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  private static final int DEFAULT_PORT = 6334;

  public QdrantSettings {
    apiKey = apiKey.filter(k -> !k.isBlank());
    if (!url.isEmpty()) endpoint(url); // validates
    if (!COLLECTION.matcher(collection).matches())
      throw invalid("collection", collection, "1 to 255 letters, digits, '_' or '-'");
    if (dimension < 0 || dimension > 65_536)
      throw invalid("dimension", dimension, "0 (from the data) or 1 to 65536");
    if (!"cosine".equals(distance))
      throw invalid("distance", distance, "\"cosine\" (the VectorIndex port answers cosine)");
    positive("request-timeout", requestTimeout);
    positive("sync-timeout", syncTimeout);
    if (upsertBatchSize < 1 || upsertBatchSize > 10_000)
      throw invalid("upsert-batch-size", upsertBatchSize, "1 to 10000");
    positive("retry-backoff-min", retryBackoffMin);
    if (retryBackoffMax.compareTo(retryBackoffMin) < 0)
      throw invalid("retry-backoff-max", retryBackoffMax, "at least retry-backoff-min");
    if (maxExcludedIds < 0) throw invalid("max-excluded-ids", maxExcludedIds, ">= 0");
    if (maxOverFetch < 0) throw invalid("max-over-fetch", maxOverFetch, ">= 0");
    if (breakerMaxFailures < 1) throw invalid("breaker-max-failures", breakerMaxFailures, ">= 1");
    positive("breaker-reset-timeout", breakerResetTimeout);
  }

  /** From {@code freshet.vectors.qdrant} of {@code config}, the API key from the process's env. */
  public static QdrantSettings fromConfig(Config config) {
    return fromConfig(config, System.getenv());
  }

  /** From {@code freshet.vectors.qdrant} of {@code config}, the API key from {@code env}. */
  public static QdrantSettings fromConfig(Config config, Map<String, String> env) {
    Config c = config.getConfig("freshet.vectors.qdrant");
    if (c.hasPath("api-key"))
      throw new IllegalArgumentException(
          "freshet.vectors.qdrant.api-key must not be configured in a file: set "
              + API_KEY_ENV
              + " in the environment");
    return new QdrantSettings(
        c.getString("url").trim(),
        Optional.ofNullable(env.get(API_KEY_ENV)),
        c.getString("collection"),
        c.getInt("dimension"),
        c.getString("distance").trim().toLowerCase(Locale.ROOT),
        c.getDuration("request-timeout"),
        c.getDuration("sync-timeout"),
        c.getInt("upsert-batch-size"),
        c.getDuration("retry-backoff-min"),
        c.getDuration("retry-backoff-max"),
        c.getInt("max-excluded-ids"),
        c.getInt("max-over-fetch"),
        c.getInt("breaker-max-failures"),
        c.getDuration("breaker-reset-timeout"));
  }

  /** Whether Qdrant is to be used at all (a url is set). */
  public boolean enabled() {
    return !url.isEmpty();
  }

  /** The same settings with another collection (tests, blue/green collections). */
  public QdrantSettings withCollection(String name) {
    return new QdrantSettings(
        url,
        apiKey,
        name,
        dimension,
        distance,
        requestTimeout,
        syncTimeout,
        upsertBatchSize,
        retryBackoffMin,
        retryBackoffMax,
        maxExcludedIds,
        maxOverFetch,
        breakerMaxFailures,
        breakerResetTimeout);
  }

  /** Host, port and transport of {@link #url}. */
  public Endpoint endpoint() {
    if (url.isEmpty()) throw new IllegalStateException("freshet.vectors.qdrant.url is not set");
    return endpoint(url);
  }

  public record Endpoint(String host, int port, boolean tls) {}

  private static Endpoint endpoint(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid("url", url, "http://host:6334 or https://host:6334");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https"))
      throw invalid("url", url, "http://host:6334 (plaintext) or https://host:6334 (TLS)");
    if (uri.getHost() == null || uri.getHost().isEmpty())
      throw invalid("url", url, "a host, e.g. http://qdrant:6334");
    if (uri.getUserInfo() != null)
      throw invalid("url", "(redacted)", "no user info: the API key goes in " + API_KEY_ENV);
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
      throw invalid("url", url, "no path: Qdrant's gRPC endpoint is host and port only");
    return new Endpoint(
        uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), scheme.equals("https"));
  }

  private static void positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) throw invalid(key, value, "a positive duration");
  }

  private static IllegalArgumentException invalid(String key, Object value, String expected) {
    return new IllegalArgumentException(
        "freshet.vectors.qdrant." + key + " is " + value + ", expected " + expected);
  }

  @Override
  public String toString() {
    return "QdrantSettings[url="
        + url
        + ", apiKey="
        + (apiKey.isPresent() ? "(set)" : "(none)")
        + ", collection="
        + collection
        + ", dimension="
        + dimension
        + ", requestTimeout="
        + requestTimeout
        + ", upsertBatchSize="
        + upsertBatchSize
        + "]";
  }
}
