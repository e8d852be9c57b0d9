package dev.freshet.http.api;

import java.util.List;

/**
 * A request the edge refuses, with what API.md's error JSON carries: a status, a machine-readable
 * code, a message for people and, for bad input, the field at fault (e.g. {@code itemIds[3]}).
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;
  private final long retryAfterSeconds;
  private final boolean closesConnection;
  private final List<String> allowedMethods;

  public ApiException(int status, String code, String message, String field) {
    this(status, code, message, field, 0, false, List.of());
  }

  private ApiException(
      int status,
      String code,
      String message,
      String field,
      long retryAfterSeconds,
      boolean closesConnection,
      List<String> allowedMethods) {
    super(message, null, false, false); // control flow, not a fault: no stack trace
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
    this.closesConnection = closesConnection;
    this.allowedMethods = List.copyOf(allowedMethods);
  }

  /**
   * A refusal after which nothing more is read from the connection (answered with {@code
   * Connection: close}).
   */
  public static ApiException closing(int status, String code, String message, String field) {
    return new ApiException(status, code, message, field, 0, true, List.of());
  }

  /** A 405: {@code path} is served, by {@code allowed} (sent as {@code Allow}) only. */
  public static ApiException methodNotAllowed(String method, String path, List<String> allowed) {
    return new ApiException(
        405,
        "method_not_allowed",
        method + " is not allowed on " + path + " (allowed: " + String.join(", ", allowed) + ")",
        null,
        0,
        false,
        allowed);
  }

  /**
   * A 429: the client may try again after {@code retryAfterSeconds} (sent as {@code Retry-After}).
   */
  public static ApiException rateLimited(String message, long retryAfterSeconds) {
    return new ApiException(
        429, "rate_limited", message, null, Math.max(1, retryAfterSeconds), false, List.of());
  }

  /** A 413: the body exceeds {@code limit} bytes. */
  public static ApiException bodyTooLarge(long limit) {
    return new ApiException(413, "body_too_large", "body exceeds " + limit + " bytes", "body");
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

  /** Whether the connection is closed after this answer (its framing can no longer be trusted). */
  public boolean closesConnection() {
    return closesConnection;
  }

  /** The methods a 405's path is served by (empty for any other answer). */
  public List<String> allowedMethods() {
    return allowedMethods;
  }

  /** The offending field, or {@code null} when the error is not about one. */
  public String field() {
    return field;
  }
}
