package dev.freshet.http.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.edge.Endpoint;
import dev.freshet.http.edge.Endpoints;
import dev.freshet.http.edge.Scope;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the document is put together from the endpoint table and the operations resource. */
class OpenApiDocumentTest {

  private static final ObjectMapper MAPPER = ApiJson.mapper();

  private static final Endpoint ITEM =
      new Endpoint("GET", "/v1/items/{itemId}", Scope.RANK, "One item");
  private static final Endpoint HEALTH = new Endpoint("GET", "/health/alive", null, "Liveness");
  private static final Endpoint FAVOURITE =
      new Endpoint("PUT", "/v1/users/{userId}/favorites/{itemId}", Scope.RANK, "Add");

  /**
   * A resource documenting {@code operations} (JSON object members), with an Id schema, an itemId
   * path parameter and the 401/403 responses that scoped operations refer to.
   */
  private static JsonNode resource(String operations) {
    try {
      return MAPPER.readTree(
          """
          {"info": {"title": "t", "version": "1"},
           "operations": {%s},
           "components": {
             "parameters": {"itemId": {"name": "itemId", "in": "path", "required": true, "schema": {"type": "string"}}},
             "responses": {"Unauthorized": {"description": "no key"}, "Forbidden": {"description": "no scope"}},
             "schemas": {"Id": {"type": "string"}}}}
          """
              .formatted(operations));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String op(String key, String id) {
    return "\""
        + key
        + "\": {\"operationId\": \""
        + id
        + "\", \"responses\": {\"200\": {\"description\": \"ok\"}}}";
  }

  @Test
  void theServedDocumentCoversTheWholeEndpointTable() {
    ObjectNode doc = OpenApi.of(Endpoints.ALL).document();
    assertThat(doc.path("openapi").asText()).isEqualTo("3.0.3");
    int operations = 0;
    for (Endpoint e : Endpoints.ALL) {
      JsonNode op = doc.path("paths").path(e.template()).path(e.method().toLowerCase());
      assertThat(op.isObject()).as(OpenApi.key(e)).isTrue();
      operations++;
    }
    int documented = 0;
    for (JsonNode path : doc.path("paths")) documented += path.size();
    assertThat(documented).isEqualTo(operations);
  }

  @Test
  void anEndpointWithoutAnEntryFailsNamingIt() {
    assertThatThrownBy(
            () ->
                new OpenApi(
                    List.of(ITEM, HEALTH), resource(op("GET /health/alive", "alive")), MAPPER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("GET /v1/items/{itemId} is in Endpoints but has no entry");
  }

  @Test
  void anEntryWithoutAnEndpointFailsNamingIt() {
    String operations =
        op("GET /health/alive", "alive") + "," + op("DELETE /v1/items/{itemId}", "gone");
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH), resource(operations), MAPPER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'DELETE /v1/items/{itemId}' is documented but not in Endpoints");
  }

  @Test
  void aReferenceToNothingFails() {
    String operations =
        "\"GET /health/alive\": {\"operationId\": \"alive\", \"responses\": {\"200\": {\"$ref\": \"#/components/responses/Nope\"}}}";
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH), resource(operations), MAPPER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("#/components/responses/Nope");
  }

  @Test
  void anEntryCannotContradictTheTable() {
    String summary =
        "\"GET /health/alive\": {\"operationId\": \"alive\", \"summary\": \"other\", \"responses\": {\"200\": {\"description\": \"ok\"}}}";
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH), resource(summary), MAPPER))
        .hasMessageContaining("'summary'");

    String unauthorized =
        "\"GET /health/alive\": {\"operationId\": \"alive\", \"responses\": {\"200\": {\"description\": \"ok\"},"
            + " \"401\": {\"description\": \"no\"}}}";
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH), resource(unauthorized), MAPPER))
        .hasMessageContaining("is public");

    String foreignPathParameter =
        "\"GET /health/alive\": {\"operationId\": \"alive\", \"parameters\": [{\"$ref\": \"#/components/parameters/itemId\"}],"
            + " \"responses\": {\"200\": {\"description\": \"ok\"}}}";
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH), resource(foreignPathParameter), MAPPER))
        .hasMessageContaining("path parameter 'itemId'");

    String noResponses = "\"GET /health/alive\": {\"operationId\": \"alive\"}";
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH), resource(noResponses), MAPPER))
        .hasMessageContaining("no responses");

    String sameId = op("GET /health/alive", "same") + "," + op("GET /v1/items/{itemId}", "same");
    assertThatThrownBy(() -> new OpenApi(List.of(HEALTH, ITEM), resource(sameId), MAPPER))
        .hasMessageContaining("used twice");
  }

  @Test
  void securityAndScopeComeFromTheTable() {
    String operations =
        op("GET /health/alive", "alive") + "," + op("GET /v1/items/{itemId}", "item");
    ObjectNode doc = new OpenApi(List.of(HEALTH, ITEM), resource(operations), MAPPER).document();

    JsonNode health = doc.path("paths").path("/health/alive").path("get");
    assertThat(health.path("summary").asText()).isEqualTo("Liveness");
    assertThat(health.path("security").isArray() && health.path("security").isEmpty()).isTrue();
    assertThat(health.has(OpenApi.SCOPE_EXTENSION)).isFalse();
    assertThat(health.path("responses").has("401")).isFalse();

    JsonNode item = doc.path("paths").path("/v1/items/{itemId}").path("get");
    assertThat(item.path(OpenApi.SCOPE_EXTENSION).asText()).isEqualTo("rank");
    assertThat(item.path("security").get(0).has(OpenApi.SECURITY_SCHEME)).isTrue();
    assertThat(item.path("description").asText()).contains("`rank`");
    assertThat(item.path("responses").path("401").path("$ref").asText())
        .isEqualTo("#/components/responses/Unauthorized");
    assertThat(item.path("responses").path("403").path("$ref").asText())
        .isEqualTo("#/components/responses/Forbidden");
    assertThat(
            doc.path("components")
                .path("securitySchemes")
                .path(OpenApi.SECURITY_SCHEME)
                .path("scheme")
                .asText())
        .isEqualTo("bearer");
  }

  @Test
  void pathParametersAreTakenFromTheTemplate() {
    String operations = op("PUT /v1/users/{userId}/favorites/{itemId}", "add");
    JsonNode parameters =
        new OpenApi(List.of(FAVOURITE), resource(operations), MAPPER)
            .document()
            .path("paths")
            .path("/v1/users/{userId}/favorites/{itemId}")
            .path("put")
            .path("parameters");

    assertThat(parameters).hasSize(2);
    // no shared userId parameter: an inline id
    assertThat(parameters.get(0).path("name").asText()).isEqualTo("userId");
    assertThat(parameters.get(0).path("in").asText()).isEqualTo("path");
    assertThat(parameters.get(0).path("required").asBoolean()).isTrue();
    assertThat(parameters.get(0).path("schema").path("$ref").asText())
        .isEqualTo("#/components/schemas/Id");
    // a shared itemId path parameter: referred to
    assertThat(parameters.get(1).path("$ref").asText()).isEqualTo("#/components/parameters/itemId");
  }
}
