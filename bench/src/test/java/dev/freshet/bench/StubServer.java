package dev.freshet.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small in-process stand-in for the Freshet API on a loopback port, for the load generator's
 * tests.
 */
final class StubServer implements AutoCloseable {

  static {
    // no Nagle delays in the stub: the tests measure the client, not 40 ms TCP stalls
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);

  StubServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.start();
  }

  /**
   * Serves {@code path} (and everything below it) with {@code handler}, replacing an earlier route.
   */
  StubServer route(String path, HttpHandler handler) {
    try {
      server.removeContext(path);
    } catch (IllegalArgumentException notRoutedYet) {
      // first route for this path
    }
    server.createContext(path, handler);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A JSON response with a Content-Length. */
  static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
