package dev.freshet.http;

/**
 * A request the edge refuses, with what API.md's error JSON carries: a status, a machine-readable
 * code, a message for people and, for bad input, the field at fault (e.g. {@code itemIds[3]}).
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;

  public ApiException(int status, String code, String message, String field) {
    super(message, null, false, false); // control flow, not a fault: no stack trace
    this.status = status;
    this.code = code;
    this.field = field;
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

  /** The offending field, or {@code null} when the error is not about one. */
  public String field() {
    return field;
  }
}
