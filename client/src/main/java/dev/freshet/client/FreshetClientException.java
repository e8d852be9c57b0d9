package dev.freshet.client;

/**
 * Why a command of {@link FreshetClient} failed: the user entity refused it ({@link Refused}: the
 * command can never succeed as it is, its message names the field) or no answer came in time
 * ({@link Timeout}: the command may or may not have been applied; retry later).
 */
public abstract sealed class FreshetClientException extends RuntimeException {

  FreshetClientException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The user entity answered with an error (a StatusReply error): bad input, a full list. */
  public static final class Refused extends FreshetClientException {
    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** No reply within the ask timeout: the cluster is unreachable, rebalancing or overloaded. */
  public static final class Timeout extends FreshetClientException {
    Timeout(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
