package dev.freshet.http.edge;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * A request's trace id: the trace id of a W3C {@code traceparent}, else a sane {@code
 * X-Request-Id}, else a new random one in the W3C format (32 hex digits), so that logs of ours and
 * of the caller's tracing line up.
 */
public final class TraceIds {
  private TraceIds() {}

  static final String REQUEST_ID_HEADER = "X-Request-Id";

  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  private static final String ZERO_TRACE = "0".repeat(32);

  public static String of(HttpRequest request) {
    var traceparent = request.getHeader("traceparent");
    if (traceparent.isPresent()) {
      var m = TRACEPARENT.matcher(traceparent.get().value().trim());
      if (m.matches() && !m.group(1).equals(ZERO_TRACE)) return m.group(1);
    }
    var requestId = request.getHeader(REQUEST_ID_HEADER);
    if (requestId.isPresent() && REQUEST_ID.matcher(requestId.get().value()).matches())
      return requestId.get().value();
    return fresh();
  }

  /** A new random trace id: 32 hex digits, as in traceparent. */
  static String fresh() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return hex16(random.nextLong()) + hex16(random.nextLong());
  }

  private static String hex16(long value) {
    String hex = Long.toHexString(value);
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }
}
