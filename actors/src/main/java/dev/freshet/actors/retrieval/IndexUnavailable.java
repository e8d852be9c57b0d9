package dev.freshet.actors.retrieval;

/**
 * An index cannot answer now (still building, circuit open, timed out, failing); {@code reason} is
 * what a degraded answer says, short and without secrets.
 */
public final class IndexUnavailable extends RuntimeException {

  private final String reason;

  public IndexUnavailable(String reason) {
    super(reason, null, false, false);
    this.reason = reason;
  }

  public IndexUnavailable(String reason, Throwable cause) {
    super(reason, cause, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
