package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.http.edge.Endpoint;
import dev.freshet.http.edge.Endpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document served by a real node: well-formed, the same operations as the edge's route
 * table, and every operation it documents is really routed.
 */
class OpenApiTest extends SingleNodeTest {

  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");

  /** What Pekko answers when no route matched, before the edge answers {@code no_route} itself. */
  private static final String PEKKO_NOT_FOUND = "The requested resource could not be found.";

  private static final String ITEM = "openapi-item";

  private static JsonNode doc;

  @BeforeAll
  static void fetchDocument() {
    // a real item, so that item routes get past their lookups
    assertThat(
            api.post("/v1/items", "{\"items\":[{\"id\":\"" + ITEM + "\",\"category\":\"c\"}]}")
                .status())
        .isEqualTo(200);
    Api.Response served = api.get("/v1/openapi.json");
    assertThat(served.status()).isEqualTo(200);
    doc = served.body();
  }

  @Test
  void isAnOpenApi3DocumentWhoseReferencesAndPathParametersAllResolve() {
    assertThat(doc.path("openapi").asText()).startsWith("3.0.");
    assertThat(doc.path("info").path("title").asText()).isNotBlank();
    assertThat(doc.path("info").path("version").asText()).isNotBlank();
    assertThat(doc.path("paths").isObject()).isTrue();
    assertThat(doc.path("paths").size()).isPositive();

    List<String> unresolved = new ArrayList<>();
    collectUnresolvedRefs(doc, "#", unresolved);
    assertThat(unresolved).as("$refs that point at nothing").isEmpty();

    Set<String> operationIds = new LinkedHashSet<>();
    Set<String> schemes = fieldNames(doc.path("components").path("securitySchemes"));
    forEachOperation(
        (path, method, op) -> {
          String at = method.toUpperCase() + " " + path;
          assertThat(path).as(at).startsWith("/");
          JsonNode responses = op.path("responses");
          assertThat(responses.isObject() && responses.size() > 0)
              .as(at + " has responses")
              .isTrue();
          responses
              .properties()
              .forEach(
                  r -> {
                    assertThat(r.getKey()).as(at).matches("[1-5][0-9][0-9]|default");
                    assertThat(resolve(r.getValue()).path("description").isTextual())
                        .as(at + " " + r.getKey() + " has a description")
                        .isTrue();
                  });
          assertThat(operationIds.add(op.path("operationId").asText()))
              .as(at + " has its own operationId")
              .isTrue();

          Set<String> inTemplate = new TreeSet<>();
          Matcher m = PATH_PARAMETER.matcher(path);
          while (m.find()) inTemplate.add(m.group(1));
          Set<String> declared = new TreeSet<>();
          for (JsonNode p : op.path("parameters")) {
            JsonNode parameter = resolve(p);
            assertThat(parameter.path("name").isTextual())
                .as(at + " parameter has a name")
                .isTrue();
            assertThat(parameter.path("in").asText())
                .as(at)
                .isIn("path", "query", "header", "cookie");
            assertThat(parameter.has("schema") || parameter.has("content"))
                .as(at + " parameter has a schema")
                .isTrue();
            if (parameter.path("in").asText().equals("path")) {
              assertThat(parameter.path("required").asBoolean())
                  .as(at + " path parameters are required")
                  .isTrue();
              declared.add(parameter.path("name").asText());
            }
          }
          assertThat(declared).as(at + " path parameters").isEqualTo(inTemplate);

          assertThat(op.path("security").isArray())
              .as(at + " says whether it needs a key")
              .isTrue();
          for (JsonNode requirement : op.path("security")) {
            assertThat(schemes).as(at).containsAll(fieldNames(requirement));
          }
          if (op.path("requestBody").isObject()) {
            assertThat(resolve(op.path("requestBody")).path("content").size())
                .as(at + " body has content")
                .isPositive();
          }
        });
  }

  @Test
  void documentsExactlyTheRoutesOfTheEdgeTableWithTheirScopes() {
    Set<String> documented = new TreeSet<>();
    forEachOperation((path, method, op) -> documented.add(method.toUpperCase() + " " + path));
    Set<String> table = new TreeSet<>();
    for (Endpoint e : Endpoints.ALL) table.add(e.method() + " " + e.template());
    assertThat(documented).isEqualTo(table);

    for (Endpoint e : Endpoints.ALL) {
      JsonNode op = doc.path("paths").path(e.template()).path(e.method().toLowerCase());
      String at = e.method() + " " + e.template();
      assertThat(op.path("summary").asText()).as(at).isEqualTo(e.summary());
      if (e.isPublic()) {
        assertThat(op.path("security").isEmpty()).as(at + " is public").isTrue();
        assertThat(op.has("x-freshet-scope")).as(at).isFalse();
      } else {
        assertThat(op.path("security").size()).as(at + " needs a key").isEqualTo(1);
        assertThat(op.path("x-freshet-scope").asText()).as(at).isEqualTo(e.scope().wireName());
        assertThat(op.path("responses").has("401") && op.path("responses").has("403"))
            .as(at)
            .isTrue();
      }
    }
  }

  @Test
  void ingestDocumentsIdempotencyKeysAndRateLimitsTheirRetryAfter() {
    for (String path : List.of("/v1/impressions", "/v1/events")) {
      JsonNode op = doc.path("paths").path(path).path("post");
      List<String> headers = new ArrayList<>();
      op.path("parameters")
          .forEach(
              p -> {
                JsonNode parameter = resolve(p);
                if (parameter.path("in").asText().equals("header"))
                  headers.add(parameter.path("name").asText());
              });
      assertThat(headers).as(path).contains("Idempotency-Key");
      assertThat(resolve(op.path("responses").path("429")).path("headers").has("Retry-After"))
          .as(path)
          .isTrue();
      assertThat(resolve(op.path("requestBody")).path("content").has("text/plain"))
          .as(path + " takes sendBeacon's body")
          .isTrue();
    }
  }

  @Test
  void everyDocumentedOperationIsServedByTheRealRoutes() {
    List<String> misses = new ArrayList<>();
    forEachOperation(
        (path, method, op) -> {
          String concrete = sample(path);
          boolean hasBody = op.path("requestBody").isObject();
          Probe answer = send(method.toUpperCase(), concrete, hasBody ? "{}" : null);
          String at = method.toUpperCase() + " " + concrete;
          if (answer.routingMiss()) misses.add(at + " -> " + answer.status() + " " + answer.body());
          if (op.path("responses").has("101")) {
            // a WebSocket route asked without the upgrade headers refuses the request, but it is
            // there
            assertThat(answer.status()).as(at + " without an upgrade").isIn(400, 426);
          }
        });
    assertThat(misses).as("documented operations that no route serves").isEmpty();
  }

  @Test
  void aRouteThatDoesNotExistIsRecognisedAsAMiss() {
    // the check above is only worth something if it can tell a miss from an answer
    assertThat(send("GET", "/v1/no-such-route", null).routingMiss()).isTrue();
    assertThat(send("DELETE", "/health/alive", null).routingMiss()).isTrue();
    assertThat(send("GET", "/v1/items/" + ITEM, null).routingMiss()).isFalse();
    assertThat(send("GET", "/v1/items/no-such-item", null).routingMiss())
        .isFalse(); // the item's 404, not the route's
  }

  // ---- probing the real routes -----------------------------------------------------------------

  /**
   * A status and the raw body: answers are not all JSON (metrics, a refused WebSocket upgrade), so
   * this does not go through {@link Api}, which parses every body.
   */
  private record Probe(int status, String body) {
    boolean routingMiss() {
      if (status == 405) return true;
      if (status != 404) return false;
      try {
        JsonNode error = Api.JSON.readTree(body).path("error");
        if ("no_route".equals(error.path("code").asText())) return true;
      } catch (IOException notJson) {
        // Pekko's own answer is plain text
      }
      return body.contains(PEKKO_NOT_FOUND);
    }
  }

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Probe send(String method, String path, String jsonBody) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
            .timeout(Duration.ofSeconds(30));
    if (jsonBody != null) {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Probe(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The template with sample values: a throwaway user (some routes change or delete the user), the
   * catalog item made above, a well-formed but unknown share token.
   */
  private static String sample(String template) {
    Matcher m = PATH_PARAMETER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "userId" -> "openapi-throwaway-user";
            case "itemId" -> ITEM;
            case "token" -> "A".repeat(43);
            default -> "openapi-sample-" + m.group(1);
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  // ---- reading the document
  // ----------------------------------------------------------------------

  @FunctionalInterface
  private interface OperationVisitor {
    void visit(String path, String method, JsonNode operation);
  }

  private static void forEachOperation(OperationVisitor visitor) {
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
        if (METHODS.contains(op.getKey())) visitor.visit(path.getKey(), op.getKey(), op.getValue());
      }
    }
  }

  /** The node itself, or what its {@code $ref} points at. */
  private static JsonNode resolve(JsonNode node) {
    JsonNode current = node;
    for (int hops = 0; current.has("$ref"); hops++) {
      assertThat(hops).as("$ref chain from " + node).isLessThan(10);
      current = doc.at(current.get("$ref").asText().substring(1));
    }
    return current;
  }

  private static void collectUnresolvedRefs(JsonNode node, String at, List<String> unresolved) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null) {
        String target = ref.asText();
        if (!target.startsWith("#/") || doc.at(target.substring(1)).isMissingNode())
          unresolved.add(at + " -> " + target);
      }
      node.properties()
          .forEach(f -> collectUnresolvedRefs(f.getValue(), at + "/" + f.getKey(), unresolved));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++)
        collectUnresolvedRefs(node.get(i), at + "/" + i, unresolved);
    }
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
