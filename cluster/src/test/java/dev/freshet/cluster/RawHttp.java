package dev.freshet.cluster;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A deliberately literal HTTP/1.1 client for hostile requests: it writes exactly the bytes it is
 * given on a fresh socket (java.net.http would refuse or repair most of them), then reads one
 * response by the book: the status line, the headers, and a body framed by {@code Content-Length},
 * by chunked encoding or by the end of the connection. It never retries and never follows anything.
 */
final class RawHttp {

  private RawHttp() {}

  /** How the exchange ended. */
  enum Outcome {
    /** A complete response was read. */
    ANSWERED,
    /** The server closed (or reset) the connection before a complete response. */
    CLOSED,
    /** Nothing, or not all of a response, arrived within the read timeout. */
    TIMED_OUT,
    /** What arrived is not an HTTP/1.1 response (e.g. an unparseable length). */
    MALFORMED
  }

  /** One request as bytes on the wire: a request line, header lines and a body, each editable. */
  static final class Request {
    String method;
    String target;
    String version = "HTTP/1.1";

    /** The request line as bytes, when a mutation needs bytes the fields above cannot hold. */
    byte[] rawRequestLine;

    final List<Header> headers = new ArrayList<>();
    byte[] body = new byte[0];
    String lineEnd = "\r\n";

    /** Bytes sent before the request line (e.g. empty lines, garbage). */
    byte[] prefix = new byte[0];

    /** Replaces the whole serialisation: for requests that are not HTTP at all. */
    byte[] raw;

    Request(String method, String target) {
      this.method = method;
      this.target = target;
    }

    Request copy() {
      Request r = new Request(method, target);
      r.version = version;
      r.rawRequestLine = rawRequestLine;
      headers.forEach(h -> r.headers.add(new Header(h.name, h.value)));
      r.body = body;
      r.lineEnd = lineEnd;
      r.prefix = prefix;
      r.raw = raw;
      return r;
    }

    Request header(String name, String value) {
      headers.add(new Header(name, value.getBytes(StandardCharsets.UTF_8)));
      return this;
    }

    Request header(String name, byte[] value) {
      headers.add(new Header(name, value));
      return this;
    }

    /** Drops every header called {@code name} (case-insensitively). */
    Request remove(String name) {
      headers.removeIf(h -> h.name.equalsIgnoreCase(name));
      return this;
    }

    Request replace(String name, String value) {
      return remove(name).header(name, value);
    }

    Optional<String> headerValue(String name) {
      return headers.stream()
          .filter(h -> h.name.equalsIgnoreCase(name) && h.value != null)
          .map(h -> new String(h.value, StandardCharsets.ISO_8859_1))
          .findFirst();
    }

    /** The body, with a {@code Content-Length} that matches it. */
    Request body(byte[] bytes) {
      body = bytes;
      return replace("Content-Length", Integer.toString(bytes.length));
    }

    byte[] bytes() {
      if (raw != null) return raw;
      ByteArrayOutputStream out = new ByteArrayOutputStream(256 + body.length);
      out.writeBytes(prefix);
      out.writeBytes(
          rawRequestLine != null ? rawRequestLine : ascii(method + " " + target + " " + version));
      out.writeBytes(ascii(lineEnd));
      for (Header h : headers) {
        if (h.value == null) {
          out.writeBytes(ascii(h.name)); // a line exactly as given: a malformed header line
        } else {
          out.writeBytes(ascii(h.name + ": "));
          out.writeBytes(h.value);
        }
        out.writeBytes(ascii(lineEnd));
      }
      out.writeBytes(ascii(lineEnd));
      out.writeBytes(body);
      return out.toByteArray();
    }
  }

  /**
   * A header line; the value as bytes, so that a mutation can put any byte in it ({@code null}: the
   * name is the whole line).
   */
  record Header(String name, byte[] value) {}

  /** One response; {@code headers} are keyed by lower-case name. */
  record Response(
      Outcome outcome,
      int status,
      String statusLine,
      Map<String, List<String>> headers,
      byte[] body,
      byte[] trailing,
      long millis,
      String problem) {

    Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * Writes never block the reader: a server may answer (and stop reading) before the body is sent.
   */
  private static final ExecutorService WRITERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "raw-http-writer");
            t.setDaemon(true);
            return t;
          });

  /** How long to keep reading after a complete response, to see bytes a server should not send. */
  private static final int TRAILING_READ_MILLIS = 150;

  /**
   * Sends {@code request} on a new connection to {@code port} and reads one response. With {@code
   * halfClose} the client shuts its side after the request, so that a server waiting for promised
   * body bytes sees the end of the stream instead of waiting for its own timeout. {@code head}: the
   * response to a HEAD request has no body, whatever its headers say.
   */
  static Response exchange(
      int port, byte[] request, boolean head, boolean halfClose, int readTimeoutMillis) {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(readTimeoutMillis);
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), readTimeoutMillis);
      OutputStream out = socket.getOutputStream();
      var written =
          WRITERS.submit(
              () -> {
                try {
                  out.write(request);
                  out.flush();
                  if (halfClose) socket.shutdownOutput();
                } catch (IOException e) {
                  // the server stopped reading (it answered early, or refused the request): that is
                  // its right
                }
              });
      Reader reader =
          new Reader(
              new BufferedInputStream(socket.getInputStream()), socket, start, readTimeoutMillis);
      Response response = reader.response(head);
      written.cancel(true);
      return response;
    } catch (IOException e) {
      return new Response(
          Outcome.CLOSED,
          0,
          "",
          Map.of(),
          new byte[0],
          new byte[0],
          millis(start),
          "connect: " + e);
    }
  }

  /**
   * What came back on one connection: every response's status in order, the raw text, and whether
   * the server closed it.
   */
  record Conversation(List<Integer> statuses, String text, boolean closed) {}

  static Conversation converse(int port, byte[] requests) {
    return converse("127.0.0.1", port, requests, 3_000);
  }

  /**
   * Sends {@code requests} (any number, pipelined, or broken framing) from source address {@code
   * from} (any 127.x.y.z works on Linux loopback) and reads until the server closes the connection
   * or stays silent for {@code quietMillis}.
   */
  static Conversation converse(String from, int port, byte[] requests, int quietMillis) {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(requests);
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
      return new Conversation(
          statuses(received.toByteArray()), received.toString(StandardCharsets.ISO_8859_1), closed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The status of each response in {@code received}, read one after the other; the last one's body
   * may be cut short (a HEAD response announces a length it does not send).
   */
  static List<Integer> statuses(byte[] received) {
    InputStream in = new ByteArrayInputStream(received);
    List<Integer> statuses = new ArrayList<>();
    while (true) {
      Response r = new Reader(in, null, System.nanoTime(), 60_000).response(false);
      if (r.status() > 0) statuses.add(r.status());
      if (r.outcome() != Outcome.ANSWERED) return statuses;
    }
  }

  /** The ASCII bytes of {@code head} (CRLFs written out), then {@code rest}. */
  static byte[] bytes(String head, byte[]... rest) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii(head));
    for (byte[] r : rest) out.writeBytes(r);
    return out.toByteArray();
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static final class MalformedResponse extends IOException {
    MalformedResponse(String message) {
      super(message);
    }
  }

  /**
   * Reads one response off a socket; every failure becomes an {@link Outcome} instead of an
   * exception.
   */
  private static final class Reader {
    private final Socket socket;
    private final InputStream in;
    private final long start;
    private final long deadline;
    private String statusLine = "";
    private int status;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    /** {@code socket}: null for bytes already received, after which nothing trails. */
    Reader(InputStream in, Socket socket, long start, int timeoutMillis) {
      this.socket = socket;
      this.in = in;
      this.start = start;
      this.deadline = start + timeoutMillis * 1_000_000L;
    }

    Response response(boolean head) {
      try {
        do {
          readHead();
        } while (status >= 100
            && status < 200
            && status != 101); // 100 Continue and friends come first
        if (!head && status != 204 && status != 304 && status != 101) readBody();
      } catch (SocketTimeoutException e) {
        return done(
            Outcome.TIMED_OUT,
            "no complete response within the read timeout (" + e.getMessage() + ")");
      } catch (MalformedResponse e) {
        return done(Outcome.MALFORMED, e.getMessage());
      } catch (IOException e) {
        return done(Outcome.CLOSED, e.getMessage());
      } catch (NumberFormatException e) {
        return done(Outcome.MALFORMED, "unparseable length: " + e.getMessage());
      }
      return done(Outcome.ANSWERED, null);
    }

    private Response done(Outcome outcome, String problem) {
      byte[] trailing = outcome == Outcome.ANSWERED && socket != null ? trailing() : new byte[0];
      return new Response(
          outcome,
          status,
          statusLine,
          headers,
          body.toByteArray(),
          trailing,
          millis(start),
          problem);
    }

    /**
     * Whatever the server sends after the response (with Connection: close it should send nothing).
     */
    private byte[] trailing() {
      ByteArrayOutputStream more = new ByteArrayOutputStream();
      long until = System.nanoTime() + TRAILING_READ_MILLIS * 1_000_000L;
      try {
        socket.setSoTimeout(TRAILING_READ_MILLIS);
        while (System.nanoTime() < until && more.size() < 65_536) {
          int b = in.read();
          if (b < 0) break;
          more.write(b);
        }
      } catch (IOException e) {
        // timed out or reset: nothing more came
      }
      return more.toByteArray();
    }

    private void readHead() throws IOException {
      headers.clear();
      statusLine = line();
      if (statusLine == null) throw new IOException("closed before a status line");
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/"))
        throw new MalformedResponse("not a status line: " + statusLine);
      try {
        status = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new MalformedResponse("not a status line: " + statusLine);
      }
      String header;
      while ((header = line()) != null && !header.isEmpty()) {
        int colon = header.indexOf(':');
        if (colon <= 0) throw new MalformedResponse("not a header line: " + header);
        headers
            .computeIfAbsent(
                header.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(header.substring(colon + 1).trim());
      }
      if (header == null) throw new IOException("closed inside the response head");
    }

    private void readBody() throws IOException {
      List<String> te = headers.get("transfer-encoding");
      List<String> cl = headers.get("content-length");
      if (te != null && te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
        readChunked();
      } else if (cl != null) {
        long length = Long.parseLong(cl.get(0).trim());
        for (long i = 0; i < length; i++) {
          int b = readByte();
          if (b < 0) throw new IOException("closed after " + i + " of " + length + " body bytes");
          body.write(b);
        }
      } else {
        int b;
        while ((b = readByte()) >= 0) body.write(b);
      }
    }

    private void readChunked() throws IOException {
      while (true) {
        String sizeLine = line();
        if (sizeLine == null) throw new IOException("closed inside a chunked body");
        int semicolon = sizeLine.indexOf(';');
        int size =
            Integer.parseInt(
                (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
        if (size == 0) {
          String trailer;
          while ((trailer = line()) != null && !trailer.isEmpty()) {
            // trailers: ignored
          }
          return;
        }
        for (int i = 0; i < size; i++) {
          int b = readByte();
          if (b < 0) throw new IOException("closed inside a chunk");
          body.write(b);
        }
        line(); // the CRLF after the chunk's data
      }
    }

    /** A line without its CRLF (or LF); {@code null} at the end of the stream. */
    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = readByte()) >= 0) {
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int n =
              bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        }
        line.write(b);
        if (line.size() > 65_536) throw new IOException("a response line over 64 KiB");
      }
      return null;
    }

    private int readByte() throws IOException {
      if (System.nanoTime() > deadline) throw new SocketTimeoutException("deadline");
      return in.read();
    }
  }
}
