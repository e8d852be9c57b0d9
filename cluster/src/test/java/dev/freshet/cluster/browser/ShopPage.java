package dev.freshet.cluster.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A shop's web server: the test pages of {@code src/test/resources/browser/} on an origin of their
 * own, as a shop serves its pages and loads the SDK from the Freshet edge, another origin.
 * {@code @NODE@} in a file becomes the node's origin. Pages carry the Content-Security-Policy the
 * SDK's README asks of such a page (the edge in script-src and connect-src, and here the proxy in
 * connect-src too), so that a request or script the README does not account for is refused, in the
 * browser's console, rather than let through.
 */
final class ShopPage implements AutoCloseable {

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "mjs", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private volatile String node;
  private volatile String connectSources = "";

  private ShopPage(HttpServer server) {
    this.server = server;
  }

  /** Listening on 127.0.0.1 (its origin known before the node starts, which must allow it). */
  static ShopPage start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      ShopPage page = new ShopPage(server);
      server.createContext("/", page::serve);
      server.setExecutor(page.threads);
      server.start();
      return page;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node the pages load the SDK from, and other origins their scripts may send to. */
  void use(String nodeOrigin, String... moreConnectSources) {
    this.node = nodeOrigin;
    this.connectSources = String.join(" ", moreConnectSources);
  }

  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The address of page {@code file} (e.g. {@code classic.html}). */
  String url(String file) {
    return origin() + "/" + file;
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String name = exchange.getRequestURI().getPath().substring(1);
      if (name.equals("favicon.ico")) {
        exchange.sendResponseHeaders(204, -1); // none, and no 404 in the browser's console
        return;
      }
      String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
      InputStream resource =
          name.matches("[a-z]+\\.[a-z]+") && type != null
              ? ShopPage.class.getResourceAsStream("/browser/" + name)
              : null;
      if (resource == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String text;
      try (resource) {
        text = new String(resource.readAllBytes(), StandardCharsets.UTF_8).replace("@NODE@", node);
      }
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange
          .getResponseHeaders()
          .set(
              "Content-Security-Policy",
              "default-src 'self'; script-src 'self' "
                  + node
                  + "; connect-src 'self' "
                  + node
                  + " "
                  + connectSources
                  + "; object-src 'none'; base-uri 'none'");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
