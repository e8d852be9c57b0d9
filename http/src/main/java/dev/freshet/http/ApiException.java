package dev.freshet.http;

/**
 * A request the edge refuses, with what API.md's error JSON carries: a status, a machine-readable
 * code, a message for people and, for bad input, the field at fault (e.g. {@code itemIds[3]}).
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;
  private final long retryAfterSeconds;

  public ApiException(int status, String code, String message, String field) {
    this(status, code, message, field, 0);
  }

  private ApiException(int status, String code, String message, String field, long retryAfterSeconds) {
    super(message, null, false, false); // control flow, not a fault: no stack trace
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A 429: the client may try again after {@code retryAfterSeconds} (sent as {@code Retry-After}). */
  public static ApiException rateLimited(String message, long retryAfterSeconds) {
    return new ApiException(429, "rate_limited", message, null, Math.max(1, retryAfterSeconds));
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(400, "invalid_field", message, field);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Seconds the client should wait before retrying, or 0 when the answer is not a 429. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The offending field, or {@code null} when the error is not about one. */
  public String field() {
    return field;
  }
}
