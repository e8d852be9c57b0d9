package dev.freshet.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes over a plain socket, for what an HTTP client library will not send: broken framing, raw
 * bytes in headers, pipelined requests, a chosen source address. Reads until the server closes the
 * connection or stays silent for {@code quiet}.
 */
final class RawSocket {

  /**
   * What came back: every response's status in order, the raw text, and whether the server closed.
   */
  record Exchange(List<Integer> statuses, String text, boolean closed) {}

  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?m)^content-length: *(\\d+)");

  private RawSocket() {}

  static Exchange send(int port, byte[] request) {
    return send("127.0.0.1", port, request, 3_000);
  }

  /** {@code request} from source address {@code from} (any 127.x.y.z works on Linux loopback). */
  static Exchange send(String from, int port, byte[] request, int quietMillis) {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      boolean closed = false;
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) != -1; ) received.write(buffer, 0, n);
        closed = true;
      } catch (SocketTimeoutException quiet) {
        // the server keeps the connection open: what it sent so far is the answer
      } catch (IOException reset) {
        closed = true; // a reset after the answer is a close too
      }
      String text = received.toString(StandardCharsets.ISO_8859_1);
      return new Exchange(statuses(text), text, closed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status of each response in {@code text}, read one after the other by their framing. */
  static List<Integer> statuses(String text) {
    List<Integer> statuses = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      Matcher status = STATUS_LINE.matcher(text).region(at, text.length());
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (!status.lookingAt() || headEnd < 0) break;
      statuses.add(Integer.parseInt(status.group(1)));
      String head = text.substring(at, headEnd).toLowerCase(Locale.ROOT);
      at = headEnd + 4;
      Matcher length = CONTENT_LENGTH.matcher(head);
      if (length.find()) {
        at += Integer.parseInt(length.group(1));
      } else if (head.contains("transfer-encoding: chunked")) {
        while (at < text.length()) { // size line, data, CRLF; a zero size ends the body
          int lineEnd = text.indexOf("\r\n", at);
          int size = Integer.parseInt(text.substring(at, lineEnd).split(";")[0].trim(), 16);
          at = lineEnd + 2 + size + 2;
          if (size == 0) break;
        }
      }
    }
    return statuses;
  }

  /** The ASCII bytes of {@code head} (CRLFs written out), then {@code body}. */
  static byte[] bytes(String head, byte[]... rest) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    for (byte[] r : rest) out.writeBytes(r);
    return out.toByteArray();
  }
}
