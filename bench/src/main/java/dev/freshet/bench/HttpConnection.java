package dev.freshet.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocketFactory;

/**
 * One keep-alive HTTP/1.1 connection over a blocking socket, used by one load thread at a time. It
 * is deliberately minimal (Content-Length or chunked bodies, no redirects, no compression) because
 * the JDK's HttpClient costs about 0.4 ms of CPU per request, which on a 2-core machine shared with
 * the node would take a core away from the server being measured. Not thread-safe.
 */
final class HttpConnection implements Closeable {

  /** A request: method, path (with query) relative to the base URL, and an optional JSON body. */
  record Request(String method, String path, byte[] body) {
    static Request get(String path) {
      return new Request("GET", path, null);
    }

    static Request postJson(String path, byte[] body) {
      return new Request("POST", path, body);
    }
  }

  /** Status code and full body of a response. */
  record Response(int status, byte[] body) {}

  private static final int MAX_LINE = 16 * 1024;

  private final String host;
  private final int port;
  private final boolean tls;
  private final String pathPrefix;
  private final byte[] fixedHeaders;
  private final int timeoutMillis;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  HttpConnection(URI baseUrl, String apiKey, Duration timeout) {
    this.tls = "https".equals(baseUrl.getScheme());
    this.host = baseUrl.getHost();
    this.port = baseUrl.getPort() > 0 ? baseUrl.getPort() : tls ? 443 : 80;
    this.pathPrefix = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    StringBuilder headers =
        new StringBuilder()
            .append("Host: ")
            .append(host)
            .append(':')
            .append(port)
            .append("\r\n")
            .append("User-Agent: freshet-bench\r\n")
            .append("Accept: application/json\r\n");
    if (apiKey != null) {
      headers.append("Authorization: Bearer ").append(apiKey).append("\r\n");
    }
    this.fixedHeaders = headers.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static HttpConnection to(BenchConfig config) {
    return new HttpConnection(config.baseUrl(), config.apiKey(), config.timeout());
  }

  /**
   * Connections to {@code --url} and every {@code --also} node in turn: the load's connections
   * spread evenly over the cluster's nodes, as a load balancer would.
   */
  static java.util.function.Supplier<HttpConnection> spread(BenchConfig config) {
    List<URI> nodes = new java.util.ArrayList<>();
    nodes.add(config.baseUrl());
    nodes.addAll(config.otherUrls());
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    return () ->
        new HttpConnection(
            nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size())),
            config.apiKey(),
            config.timeout());
  }

  /** Sends the request (connecting first if needed) and reads the whole response. */
  Response send(Request request) throws IOException {
    if (socket == null) {
      connect();
    }
    try {
      writeRequest(request);
      return readResponse(request.method());
    } catch (IOException | RuntimeException e) {
      close(); // the connection's state is unknown now; the next send reconnects
      throw e;
    }
  }

  private void connect() throws IOException {
    Socket s = tls ? SSLSocketFactory.getDefault().createSocket() : new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(host, port), Math.min(timeoutMillis, 5_000));
      s.setSoTimeout(timeoutMillis);
      in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
      socket = s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private void writeRequest(Request request) throws IOException {
    StringBuilder line =
        new StringBuilder(128)
            .append(request.method())
            .append(' ')
            .append(pathPrefix)
            .append(request.path())
            .append(" HTTP/1.1\r\n");
    out.write(line.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(fixedHeaders);
    byte[] body = request.body();
    if (body != null) {
      out.write(
          ("Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
    } else {
      out.write('\r');
      out.write('\n');
    }
    out.flush(); // one write for line, headers and body
  }

  private Response readResponse(String method) throws IOException {
    String statusLine = readLine();
    while (statusLine.isEmpty()) { // tolerate a stray CRLF between responses
      statusLine = readLine();
    }
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new ProtocolException("bad status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    boolean keepAlive = statusLine.startsWith("HTTP/1.1");
    long contentLength = -1;
    boolean chunked = false;
    for (String header = readLine(); !header.isEmpty(); header = readLine()) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" ->
            keepAlive = value.contains("keep-alive") || keepAlive && !value.contains("close");
        default -> {}
      }
    }
    byte[] body;
    if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
      body = new byte[0];
    } else if (chunked) {
      body = readChunked();
    } else if (contentLength >= 0) {
      body = readExactly(contentLength);
    } else {
      body = in.readAllBytes(); // delimited by the server closing the connection
      keepAlive = false;
    }
    if (!keepAlive) {
      close();
    }
    return new Response(status, body);
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine();
      int semicolon = sizeLine.indexOf(';');
      long size =
          Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // skip trailers
        }
        return body.toByteArray();
      }
      body.write(readExactly(size));
      readLine(); // CRLF after the chunk
    }
  }

  private byte[] readExactly(long length) throws IOException {
    if (length > Integer.MAX_VALUE - 8) {
      throw new ProtocolException("body too large: " + length);
    }
    byte[] bytes = in.readNBytes((int) length);
    if (bytes.length != length) {
      throw new EOFException(
          "connection closed after " + bytes.length + " of " + length + " body bytes");
    }
    return bytes;
  }

  /** An ISO-8859-1 line without its CRLF (or LF). */
  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (b == '\n') {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
          line.setLength(end - 1);
        }
        return line.toString();
      }
      if (line.length() >= MAX_LINE) {
        throw new ProtocolException("header line longer than " + MAX_LINE);
      }
      line.append((char) b);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
      in = null;
      out = null;
    }
  }
}
