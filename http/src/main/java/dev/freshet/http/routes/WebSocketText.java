package dev.freshet.http.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.ApiException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What the WebSocket routes share: reading a client's message as text within a size and a time
 * limit, writing a message as JSON, and the answer to a request that is not an upgrade.
 */
final class WebSocketText {

  private WebSocketText() {}

  /** The 400 of a plain request to the WebSocket endpoint {@code path}. */
  static ApiException upgradeRequired(String path) {
    return new ApiException(
        400,
        "websocket_upgrade_required",
        path
            + " is a WebSocket endpoint: open it with a WebSocket client"
            + " (GET with Upgrade: websocket)",
        "Upgrade");
  }

  /** {@code json} as a text message. */
  static TextMessage json(ObjectMapper mapper, Object json) {
    try {
      return TextMessage.create(mapper.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("WebSocket message not serializable", e);
    }
  }

  /**
   * The whole text of {@code message}. Frames may arrive streamed; unlike {@code toStrict}, this
   * stops at {@code maxBytes} (failing with {@link StreamLimitReachedException}) instead of
   * buffering whatever the client sends, and at {@code timeout}. A binary message fails with a 415
   * naming {@code field}.
   */
  static CompletionStage<String> read(
      Message message, long maxBytes, Duration timeout, Materializer materializer, String field) {
    if (!message.isText()) {
      // nothing of it is used; cancelling its data lets the connection's reading go on to the close
      if (!message.isStrict())
        message.asBinaryMessage().getStreamedData().runWith(Sink.cancelled(), materializer);
      return CompletableFuture.failedFuture(
          new ApiException(
              415, "binary_message", "only text messages are accepted: send JSON text", field));
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      String strict = text.getStrictText();
      return utf8Length(strict) > maxBytes
          ? CompletableFuture.failedFuture(new StreamLimitReachedException(maxBytes))
          : CompletableFuture.completedFuture(strict);
    }
    return text.getStreamedText()
        .limitWeighted(maxBytes, WebSocketText::utf8Length)
        .completionTimeout(timeout)
        .runFold(new StringBuilder(), StringBuilder::append, materializer)
        .thenApply(StringBuilder::toString);
  }

  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (Character.isHighSurrogate(c)) {
        bytes += 4; // with its low surrogate, one 4-byte code point
        i++;
      } else bytes += 3;
    }
    return bytes;
  }
}
