package dev.freshet.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/** A real HTTP client over a real socket to one node's edge. */
public final class Api {

  static final ObjectMapper JSON = new ObjectMapper();

  public record Response(int status, JsonNode body) {
    String errorField() {
      return body.path("error").path("field").asText(null);
    }
  }

  /** The body of a 200 answer; fails showing the body otherwise. */
  public static JsonNode ok(Response response) {
    return body(response, 200);
  }

  /** The body of a 202 answer (accepted: durable); fails showing the body otherwise. */
  public static JsonNode accepted(Response response) {
    return body(response, 202);
  }

  private static JsonNode body(Response response, int status) {
    org.assertj.core.api.Assertions.assertThat(response.status())
        .as(response.body().toString())
        .isEqualTo(status);
    return response.body();
  }

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  /** Sent as {@code Authorization: Bearer <key>} with every request, when set. */
  private final String key;

  public Api(FreshetNode node) {
    this(node.httpPort());
  }

  /** A node on this machine's {@code port}, perhaps in another JVM. */
  Api(int port) {
    this("http://127.0.0.1:" + port, null);
  }

  private Api(String base, String key) {
    this.base = base;
    this.key = key;
  }

  /** The same node, every request carrying API key {@code key}. */
  public Api withKey(String key) {
    return new Api(base, key);
  }

  URI uri(String path) {
    return URI.create(base + path);
  }

  /** A request as sent, with its headers: for tests of the edge's headers. */
  HttpResponse<String> raw(HttpRequest.Builder request) {
    try {
      if (key != null) request.header("Authorization", "Bearer " + key);
      return client.send(
          request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** A GET whose answer is not JSON: its body as text. */
  public String text(String path) {
    return raw(HttpRequest.newBuilder(URI.create(base + path)).GET()).body();
  }

  public Response post(String path, String body) {
    return post(path, body, "application/json");
  }

  Response post(String path, String body, String contentType) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Response put(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  Response put(String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.noBody()));
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  Response post(String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = raw(request);
      JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
      return new Response(response.statusCode(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- request bodies --------------------------------------------------------------------------

  /** One interaction for {@code /v1/events}; {@code extra} is more fields, each after a comma. */
  static String event(String type, String user, String item, String extra) {
    return "{\"type\":\""
        + type
        + "\",\"userId\":\""
        + user
        + "\",\"itemId\":\""
        + item
        + "\""
        + extra
        + "}";
  }

  public static String event(String type, String user, String item) {
    return event(type, user, item, "");
  }

  /** A {@code /v1/events} body. */
  public static String events(String... events) {
    return "{\"events\":[" + String.join(",", events) + "]}";
  }

  public static String impressions(String userId, List<String> itemIds) {
    return "{\"userId\":\"" + userId + "\",\"itemIds\":[" + quoted(itemIds) + "]}";
  }

  /** Items {@code prefix0..prefix(n-1)} in {@code categories} categories, popularity n - i. */
  public static String items(String prefix, int n, int categories, String status) {
    return items(prefix, n, i -> "c" + (i % categories), status);
  }

  /**
   * Items {@code prefix0..prefix(n-1)}, item i in {@code category.apply(i)}, popularity n - i: a
   * category of a test's own keeps its rankings (asked with {@code category=}) apart from what
   * other tests on the same node make popular.
   */
  static String items(String prefix, int n, IntFunction<String> category, String status) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(
          "{\"id\":\""
              + prefix
              + i
              + "\",\"category\":\""
              + category.apply(i)
              + "\",\"popularity\":"
              + (n - i)
              + ",\"status\":\""
              + status
              + "\",\"tags\":[\"t"
              + (i % 3)
              + "\"]}");
    }
    return "{\"items\":[" + String.join(",", items) + "]}";
  }

  public static List<String> ids(String prefix, int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) ids.add(prefix + i);
    return ids;
  }

  private static String quoted(List<String> ids) {
    return ids.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(","));
  }

  public static List<String> rankedIds(Response ranking) {
    List<String> ids = new ArrayList<>();
    ranking.body().path("items").forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }
}
