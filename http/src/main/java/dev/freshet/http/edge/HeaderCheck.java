package dev.freshet.http.edge;

import dev.freshet.http.api.ApiException;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Refuses a request whose header values hold anything but visible ASCII, space and tab, and closes
 * its connection.
 *
 * <p>Why: Pekko HTTP's header parser (1.3) reads a byte 0xC0–0xF7 in a header value as the lead of
 * a UTF-8 sequence and takes the next one to three bytes with it, whatever they are. A lead byte
 * just before a line end swallows the CRLF, so the next header line (say {@code Content-Length})
 * becomes part of this value and disappears; the body then parses as a second request on the same
 * connection, which a proxy in front never saw (request smuggling). Such a value always carries the
 * swallowed CR or LF, or the undecodable byte itself. Refusing the request and closing the
 * connection means nothing after such a header is ever run as a request: {@link #untilMalformed}
 * takes no request from the connection after it (a {@code Connection: close} answer alone is not
 * enough: Pekko hands the next parsed request to the handler before it closes), and the edge
 * answers it with a 400 naming the header. Legitimate clients send no such bytes: browsers refuse
 * to send non-Latin-1 header values, and RFC 9110 asks for ASCII.
 */
public final class HeaderCheck {

  private HeaderCheck() {}

  /**
   * The connection flow's finding, so that the edge need not scan the headers again: the name of
   * the first malformed header, or "" when all are clean.
   */
  private static final AttributeKey<String> MALFORMED =
      AttributeKey.create("freshet-malformed-header", String.class);

  /**
   * The requests of one connection up to and including the first with a malformed header; then the
   * connection ends once that request is answered.
   */
  public static Flow<HttpRequest, HttpRequest, NotUsed> untilMalformed() {
    return Flow.<HttpRequest>create()
        .map(r -> r.addAttribute(MALFORMED, malformed(r).orElse("")))
        .takeWhile(r -> r.getAttribute(MALFORMED).orElseThrow().isEmpty(), true);
  }

  /**
   * A 400 naming the first header whose value is malformed, if any: as the connection flow found,
   * or scanned here for a request that did not pass it.
   */
  static void requireClean(HttpRequest request) {
    request
        .getAttribute(MALFORMED)
        .or(() -> Optional.of(malformed(request).orElse("")))
        .filter(name -> !name.isEmpty())
        .ifPresent(
            name -> {
              throw ApiException.closing(
                  400,
                  "malformed_header",
                  "the value of header " + name + " holds control or non-ASCII characters",
                  name);
            });
  }

  /** The first header whose value holds anything but visible ASCII, space and tab. */
  private static Optional<String> malformed(HttpRequest request) {
    for (HttpHeader header : request.getHeaders()) {
      String value = header.value();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if ((c < 0x20 && c != '\t') || c >= 0x7F) return Optional.of(header.name());
      }
    }
    return Optional.empty();
  }
}
