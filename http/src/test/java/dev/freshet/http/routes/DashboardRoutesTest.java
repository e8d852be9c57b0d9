package dev.freshet.http.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.feed.ActivityFeed;
import dev.freshet.http.RouteTesting;
import dev.freshet.http.api.ApiJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.http.javadsl.testkit.WSProbe;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's routes without a node: the static files (SDK and dashboard), the node-metrics
 * endpoint, range checks, and the live feed's protocol over the test kit's WebSocket (keys are off
 * here, so a viewer is signed in at once; signing in with a key is tested on a node).
 */
class DashboardRoutesTest extends RouteTesting {

  // ---- static files

  @Test
  void theSdkIsJavaScriptForPagesOfAnyOriginWithAnEntityTag() {
    TestRouteResult classic =
        run(
            HttpRequest.GET("/sdk/freshet.js")
                .addHeader(header("Origin", "https://shop.example.net")));
    classic
        .assertStatusCode(200)
        .assertHeaderExists("Access-Control-Allow-Origin", "*")
        .assertHeaderExists("X-Content-Type-Options", "nosniff");
    assertThat(classic.response().entity().getContentType().toString())
        .startsWith("application/javascript");
    assertThat(classic.entityString())
        .contains("globalThis.Freshet = ")
        .doesNotContain("\nimport ");
    assertThat(classic.response().getHeader("Cache-Control").orElseThrow().value())
        .contains("max-age=");
    String etag = classic.response().getHeader("ETag").orElseThrow().value();

    run(HttpRequest.GET("/sdk/freshet.js").addHeader(header("If-None-Match", etag)))
        .assertStatusCode(304);
    TestRouteResult module = run(HttpRequest.GET("/sdk/freshet.mjs"));
    module.assertStatusCode(200);
    assertThat(module.entityString()).contains("from \"./freshet-core.mjs\"");
    run(HttpRequest.GET("/sdk/freshet-core.mjs")).assertStatusCode(200);
    assertError(run(HttpRequest.GET("/sdk/reference.conf")), 404, "not_found", null);
  }

  @Test
  void theDashboardsFilesComeFromItsFolderOnly() {
    TestRouteResult bare = run(HttpRequest.GET("/admin"));
    bare.assertStatusCode(308).assertHeaderExists("Location", "/admin/");
    TestRouteResult page = run(HttpRequest.GET("/admin/"));
    page.assertStatusCode(200);
    assertThat(page.response().entity().getContentType().toString()).startsWith("text/html");
    assertThat(page.entityString()).contains("dashboard.mjs").doesNotContain("<script>");
    assertThat(page.response().getHeader("Content-Security-Policy").orElseThrow().value())
        .contains("script-src 'self'");
    TestRouteResult module = run(HttpRequest.GET("/admin/dashboard.mjs"));
    module.assertStatusCode(200);
    assertThat(module.response().entity().getContentType().toString())
        .startsWith("application/javascript");
    TestRouteResult charts = run(HttpRequest.GET("/admin/vendor/echarts.min.js"));
    charts.assertStatusCode(200);
    assertThat(charts.entityString()).contains("echarts");
    assertThat(charts.response().getHeader("Cache-Control").orElseThrow().value())
        .isEqualTo("no-cache");
    for (String path :
        List.of(
            "/admin/reference.conf",
            "/admin/..%2Freference.conf",
            "/admin/%2e%2e",
            "/admin/.hidden.js",
            "/admin/vendor/other.js")) {
      assertThat(run(HttpRequest.GET(path)).response().status().intValue()).as(path).isEqualTo(404);
    }
  }

  // ---- JSON endpoints

  @Test
  void nodeMetricsHaveEverySeriesAlignedWithTheirTimes() {
    JsonNode answer =
        json(run(HttpRequest.GET("/v1/admin/dashboard/metrics")).assertStatusCode(200));
    assertThat(answer.path("range").asText()).isEqualTo("1h");
    assertThat(answer.path("sampleSeconds").asLong()).isPositive();
    int times = answer.path("times").size();
    List<String> names = new ArrayList<>();
    answer.path("series").fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .contains("ingestRate", "ingestP99", "rankingP95", "readModelLag", "usersAtRisk");
    for (String name : names) {
      assertThat(answer.path("series").path(name).size()).as(name).isEqualTo(times);
    }
    json(run(HttpRequest.GET("/v1/admin/dashboard/metrics?range=24h")).assertStatusCode(200));
  }

  @Test
  void aRangeOutsideTheChoicesIsRefusedNamingIt() {
    for (String path :
        List.of(
            "/v1/admin/dashboard/metrics?range=2y",
            "/v1/admin/dashboard/activity?range=1h",
            "/v1/admin/dashboard/freshness?range=",
            "/v1/admin/dashboard/activity?range=%00")) {
      assertError(run(HttpRequest.GET(path)), 400, "invalid_field", "range");
    }
  }

  // ---- the live feed

  @Test
  void theFeedIsAWebSocket() {
    assertError(
        run(HttpRequest.GET("/v1/admin/feed")), 400, "websocket_upgrade_required", "Upgrade");
  }

  @Test
  void aViewerSeesWhatItsFilterLetsThroughUnlessPaused() {
    WSProbe viewer = WSProbe.create(system(), materializer());
    run(WS(Uri.create("/v1/admin/feed"), viewer.flow(), materializer())).assertStatusCode(101);
    assertThat(next(viewer).path("type").asText()).isEqualTo("ready");
    assertThat(next(viewer).path("type").asText()).isEqualTo("status");

    publish(impressions("u1", "ok1", "ok2"));
    JsonNode shown = next(viewer);
    assertThat(shown.path("type").asText()).isEqualTo("impression");
    assertThat(shown.path("userId").asText()).isEqualTo("u1");
    assertThat(shown.path("itemIds").toString()).isEqualTo("[\"ok1\",\"ok2\"]");

    viewer.sendMessage("{\"type\":\"filter\",\"userId\":null,\"itemId\":\"ok3\"}");
    assertThat(next(viewer).path("filter").path("itemId").asText()).isEqualTo("ok3");
    publish(impressions("u1", "ok1"));
    publish(
        new ActivityFeed.Interactions(
            System.currentTimeMillis(),
            List.of(interaction("u2", "ok1"), interaction("u3", "ok3"), interaction("u4", "ok4"))));
    JsonNode click = next(viewer);
    assertThat(click.path("type").asText()).isEqualTo("interaction");
    assertThat(click.path("userId").asText()).isEqualTo("u3");
    assertThat(click.path("kind").asText()).isEqualTo("click");

    viewer.sendMessage("{\"type\":\"pause\"}");
    assertThat(next(viewer).path("paused").asBoolean()).isTrue();
    publish(impressions("u5", "ok3"));
    viewer.expectNoMessage(Duration.ofMillis(300));
    viewer.sendMessage("{\"type\":\"resume\"}");
    assertThat(next(viewer).path("paused").asBoolean()).isFalse();
    publish(
        new ActivityFeed.Ranking(System.currentTimeMillis(), "u6", "r1", "main", List.of("ok3")));
    JsonNode ranking = next(viewer);
    assertThat(ranking.path("type").asText()).as("nothing shown while paused").isEqualTo("ranking");
    assertThat(ranking.path("userId").asText()).isEqualTo("u6");
  }

  @Test
  void aBadMessageIsAnsweredAndTheViewerStays() {
    WSProbe viewer = open();
    viewer.sendMessage("{\"type\":\"filter\",\"userId\":\"bad id!\"}");
    JsonNode error = next(viewer);
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("error").path("field").asText()).isEqualTo("userId");
    viewer.sendMessage("{\"type\":\"dance\"}");
    assertThat(next(viewer).path("error").path("field").asText()).isEqualTo("type");
    viewer.sendMessage("not json");
    assertThat(next(viewer).path("error").path("field").asText()).isEqualTo("message");
    // a wrong JSON type, a lone surrogate, a control character, an id over 128 characters
    for (String[] bad :
        new String[][] {
          {"{\"type\":\"filter\",\"userId\":5}", "userId"},
          {"{\"type\":\"filter\",\"itemId\":[\"a\"]}", "itemId"},
          {"{\"type\":7}", "type"},
          {"{\"type\":\"filter\",\"userId\":\"a\\ud800b\"}", "userId"},
          {"{\"type\":\"filter\",\"itemId\":\"a\\u0001b\"}", "itemId"},
          {"{\"type\":\"filter\",\"userId\":\"" + "u".repeat(129) + "\"}", "userId"}
        }) {
      viewer.sendMessage(bad[0]);
      JsonNode answer = next(viewer);
      assertThat(answer.path("type").asText()).as(bad[0]).isEqualTo("error");
      assertThat(answer.path("error").path("field").asText()).as(bad[0]).isEqualTo(bad[1]);
    }
    // none of them changed the filter: the viewer still sees everything
    publish(impressions("u7", "ok1"));
    assertThat(next(viewer).path("userId").asText()).isEqualTo("u7");
  }

  @Test
  void aSlowViewerDropsWhatItsBufferCannotHoldAndIsToldSo() {
    WSProbe viewer = open();
    // the viewer reads nothing while 1,000 entries are published: its buffer (256) overflows
    IntStream.range(0, 1000).forEach(i -> publish(impressions("slow" + i, "ok1")));
    int impressions = 0;
    long dropped = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (dropped == 0 && System.nanoTime() < deadline) {
      JsonNode m = next(viewer);
      if (m.path("type").asText().equals("impression")) impressions++;
      if (m.path("type").asText().equals("status")) dropped = m.path("dropped").asLong();
    }
    assertThat(dropped).isPositive();
    assertThat(impressions + dropped).isLessThanOrEqualTo(1000);
  }

  private WSProbe open() {
    WSProbe viewer = WSProbe.create(system(), materializer());
    run(WS(Uri.create("/v1/admin/feed"), viewer.flow(), materializer())).assertStatusCode(101);
    assertThat(next(viewer).path("type").asText()).isEqualTo("ready");
    assertThat(next(viewer).path("type").asText()).isEqualTo("status");
    return viewer;
  }

  private void publish(ActivityFeed.Entry entry) {
    ActivityFeed.get(Adapter.toTyped(system())).publish(entry);
  }

  private static ActivityFeed.Impressions impressions(String user, String... items) {
    return new ActivityFeed.Impressions(
        System.currentTimeMillis(), user, List.of(items), "home", null, items.length, 0);
  }

  private static ActivityFeed.Interaction interaction(String user, String item) {
    return new ActivityFeed.Interaction(
        user, item, "click", System.currentTimeMillis(), null, null, null, null);
  }

  private static JsonNode next(WSProbe viewer) {
    Message m = viewer.expectMessage();
    try {
      return ApiJson.mapper().readTree(m.asTextMessage().getStrictText());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
