package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client for tests over a real socket (the JDK's): each text message from the server
 * parsed as JSON and queued, the close code and pings recorded.
 */
public final class WebSocketClient implements WebSocket.Listener, AutoCloseable {
  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  /** Opens {@code url}, sending {@code bearer} as {@code Authorization: Bearer} if present. */
  static WebSocketClient connect(String url, Optional<String> bearer) {
    WebSocketClient client = new WebSocketClient();
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    bearer.ifPresent(k -> builder.header("Authorization", "Bearer " + k));
    try {
      client.socket = builder.buildAsync(URI.create(url), client).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("WebSocket did not open", e);
    }
    return client;
  }

  void send(String text) {
    sendPart(text, true);
  }

  void sendPart(String text, boolean last) {
    await(socket.sendText(text, last));
  }

  void sendBinary(byte[] data) {
    await(socket.sendBinary(ByteBuffer.wrap(data), true));
  }

  /** The next message from the server. */
  JsonNode next() {
    try {
      JsonNode next = messages.poll(30, TimeUnit.SECONDS);
      assertThat(next).as("a message from the server within 30 s").isNotNull();
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next message from the server if one comes within {@code wait}, else null. */
  JsonNode poll(Duration wait) {
    try {
      return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Messages received and not yet taken. */
  List<JsonNode> received() {
    List<JsonNode> rest = new ArrayList<>();
    messages.drainTo(rest);
    return rest;
  }

  /** The status code of the server's close frame, waiting for it. */
  int closeCode() {
    try {
      return closed.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("The server did not close the connection", e);
    }
  }

  boolean isOpen() {
    return !closed.isDone() && !socket.isInputClosed();
  }

  int pings() {
    return pings.get();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        messages.add(Api.JSON.readTree(partial.toString()));
      } catch (Exception e) {
        closed.completeExceptionally(
            new IllegalStateException("Server sent non-JSON text: " + partial, e));
      }
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet(); // the client answers with a pong by itself
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      try {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the connection is going away either way
      }
    }
    socket.abort();
  }

  private static void await(CompletableFuture<WebSocket> sent) {
    try {
      sent.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Sending failed", e);
    }
  }
}
