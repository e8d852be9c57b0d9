package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.http.RouteTesting;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * The routes whose whole answer needs no node: the catalog (a real {@code Catalog} over an
 * in-memory store), the non-personal item lists, the pool coordinator (the real actor, never joined
 * to a cluster) and the alerts of this node's registry.
 */
class CatalogAndAdminRoutesTest extends RouteTesting {

  private static String item(String id, String category, String status) {
    return "{\"id\":\""
        + id
        + "\",\"category\":\""
        + category
        + "\",\"status\":\""
        + status
        + "\",\"createdAt\":\"2026-01-01T00:00:00Z\"}";
  }

  private TestRouteResult upsert(String... items) {
    return run(
        HttpRequest.POST("/v1/items")
            .withEntity(
                ContentTypes.APPLICATION_JSON, "{\"items\":[" + String.join(",", items) + "]}"));
  }

  @Test
  void anUpsertedItemIsServedAtOnceAndAnUnknownOneIsA404() {
    TestRouteResult upserted = upsert(item("fresh-1", "sports", "active"));
    upserted.assertStatusCode(200).assertContentType("application/json");
    assertThat(json(upserted).path("upserted").asInt()).isEqualTo(1);

    TestRouteResult found = run(HttpRequest.GET("/v1/items/fresh-1"));
    found.assertStatusCode(200);
    assertThat(json(found).path("id").asText()).isEqualTo("fresh-1");
    assertThat(json(found).path("category").asText()).isEqualTo("sports");

    assertError(run(HttpRequest.GET("/v1/items/ghost")), 404, "not_found", "id");
    assertError(run(HttpRequest.GET("/v1/items/b%20d")), 400, "invalid_field", "id");
  }

  @Test
  void aBadItemNamesItsFieldAndNothingIsStored() {
    TestRouteResult bad = upsert(item("fine-1", "news", "active"), item("fine-2", "news", "maybe"));
    assertError(bad, 400, "invalid_field", "items[1].status");
    assertError(run(HttpRequest.GET("/v1/items/fine-1")), 404, "not_found", "id");

    assertError(upsert(), 400, "invalid_field", "items");
  }

  @Test
  void theItemListsRankTheCatalogWithoutAUser() {
    TestRouteResult latest = run(HttpRequest.GET("/v1/items/latest?k=3&category=news"));
    latest.assertStatusCode(200);
    List<String> ids = new ArrayList<>();
    json(latest).path("items").forEach(i -> ids.add(i.path("id").asText()));
    assertThat(ids).containsExactly("ok9", "ok8", "ok7");

    TestRouteResult popular = run(HttpRequest.GET("/v1/items/popular?k=2&category=news"));
    popular.assertStatusCode(200);
    assertThat(json(popular).path("items")).hasSize(2);
    assertThat(json(run(HttpRequest.GET("/v1/items/popular?category=none"))).path("items"))
        .isEmpty();
  }

  @Test
  void thePoolStatusIsTheCoordinatorsOwn() {
    TestRouteResult result = run(HttpRequest.GET("/v1/admin/pool"));

    result.assertStatusCode(200).assertContentType("application/json");
    JsonNode status = json(result);
    assertThat(status.path("generator").asText()).isEqualTo("demo");
    assertThat(status.path("totals").path("requests").asLong()).isZero();
  }

  @Test
  void theAlertsAreThoseOfThisNodesRegistry() {
    TestRouteResult result = run(HttpRequest.GET("/v1/admin/alerts"));

    result.assertStatusCode(200).assertContentType("application/json");
    JsonNode body = json(result);
    assertThat(body.path("alerts")).isNotEmpty();
    assertThat(body.path("firing").asLong()).isZero();
    body.path("alerts")
        .forEach(a -> assertThat(a.path("state").asText()).isIn("ok", "pending", "firing"));
  }

  @Test
  void theClusterViewNamesMembersUnreachableOnesAndRegionsThatDidNotAnswer() {
    TestRouteResult result = run(HttpRequest.GET("/v1/admin/cluster"));

    result.assertStatusCode(200).assertContentType("application/json");
    JsonNode body = json(result);
    String a = "pekko://freshet@10.0.0.1:7355", b = "pekko://freshet@10.0.0.2:7355";
    assertThat(body.path("self").asText()).isEqualTo(a);
    assertThat(body.path("selfIsLeader").asBoolean()).isTrue();
    assertThat(body.path("selfIsOldest").asBoolean()).isTrue();
    assertThat(body.path("membersByStatus").path("up").asInt()).isEqualTo(2);
    assertThat(body.path("membersByStatus").path("leaving").asInt()).isZero();
    JsonNode members = body.path("members");
    assertThat(members).hasSize(2);
    assertThat(members.get(0).path("leader").asBoolean()).isTrue();
    assertThat(members.get(0).path("self").asBoolean()).isTrue();
    assertThat(members.get(1).path("reachable").asBoolean()).isFalse();
    assertThat(members.get(1).path("upNumber").asInt()).isEqualTo(2);
    assertThat(body.path("unreachable").get(0).path("address").asText()).isEqualTo(b);
    assertThat(body.path("unreachable").get(0).path("observedBy").get(0).asText()).isEqualTo(a);
    JsonNode sharding = body.path("sharding");
    assertThat(sharding.path("entityType").asText()).isEqualTo("User");
    assertThat(sharding.path("complete").asBoolean()).isFalse();
    assertThat(sharding.path("shards").asInt()).isEqualTo(2);
    assertThat(sharding.path("entities").asLong()).isEqualTo(3);
    assertThat(sharding.path("regions").get(0).path("address").asText()).isEqualTo(a);
    assertThat(sharding.path("regions").get(0).path("entitiesByShard").path("3").asLong())
        .isEqualTo(2);
    assertThat(sharding.path("notAnswering").get(0).asText()).isEqualTo(b);

    assertError(run(HttpRequest.POST("/v1/admin/cluster")), 405, "method_not_allowed", null);
  }

  @Test
  void pipelinesAreReadFromTheDatabaseSoWithoutOneTheyAreA503() {
    assertError(run(HttpRequest.GET("/v1/admin/pipelines")), 503, "unavailable", null);
  }
}
