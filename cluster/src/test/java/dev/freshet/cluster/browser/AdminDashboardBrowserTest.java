package dev.freshet.cluster.browser;

import static dev.freshet.cluster.Api.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.cluster.Api;
import dev.freshet.cluster.Eventually;
import dev.freshet.cluster.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin dashboard (/admin/) in real Chromium against one node with API keys: signing in with a
 * wrong, an ingest-only and the admin key; every plot drawn from the node's real activity (the
 * numbers the API answered, and pixels on its canvas); the alerts; and the live feed with its
 * filter and pause. Screenshots go to {@code cluster/target/screenshots/}.
 */
// Each test stands alone (a fresh page, signed out); the plots come last only because they wait for
// some seconds of the node's metric samples, which the other tests give them meanwhile.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminDashboardBrowserTest {

  private static final String ADMIN_KEY = "fk_browser_dashboard_admin_5c1a";
  private static final String WRONG_KEY = "fk_browser_dashboard_wrong_0000";
  private static final String KEY_ITEM = "freshet.admin.key";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Samples of the node's metrics before its plots are looked at: 20 s of 15 min make a line of
   * about ten pixels, on a card 400 wide.
   */
  private static final Duration NODE_HISTORY = Duration.ofSeconds(20);

  /** Pixels of data that show a plot drew something: an off-screen copy differs in none. */
  private static final long MIN_DATA_PIXELS = 10;

  /** Plot name (the key of window.freshetDashboard.charts) → its container's id. */
  private static final Map<String, String> PLOTS = new LinkedHashMap<>();

  static {
    PLOTS.put("impressions", "plot-impressions");
    PLOTS.put("activeUsers", "plot-active-users");
    PLOTS.put("freshnessGauge", "plot-freshness-gauge");
    PLOTS.put("freshnessHeatmap", "plot-freshness-heatmap");
    PLOTS.put("pool", "plot-pool");
    PLOTS.put("latency", "plot-latency");
    PLOTS.put("lag", "plot-lag");
  }

  private static TestNodes.Standalone node;
  private static Api admin;
  private static Api ingest;
  private static String ingestKey;
  private static ChromeDriver browser;
  private static String base;

  /** What this class recorded, to know when the read models have all of it. */
  private static final Set<String> firstImpressions = new HashSet<>();

  private static final Set<String> activeUsers = new HashSet<>();
  private static int interactions;

  @BeforeAll
  static void start() {
    // the browser first: without Chromium the class is skipped before a node is started for nothing
    browser = Chromium.start();
    // every page from now on records its CSP violations before any of its own scripts runs
    Chromium.devTools(
        browser, "Page.addScriptToEvaluateOnNewDocument", Map.of("source", CSP_WATCH));
    node =
        TestNodes.standalone(
            Map.of(
                "freshet.auth.enabled", "on",
                "freshet.auth.admin-key", ADMIN_KEY,
                "freshet.read-models.feature-snapshots.interval", "1s",
                "freshet.dashboard.sample-interval", "1s",
                "freshet.dashboard.cache-for", "0s"));
    base = "http://127.0.0.1:" + node.node().httpPort();
    admin = node.api().withKey(ADMIN_KEY);
    Api.Response created =
        admin.post("/v1/admin/keys", "{\"name\":\"page\",\"scopes\":[\"ingest\"]}");
    assertThat(created.status()).isEqualTo(201);
    ingestKey = created.body().path("key").asText();
    ingest = node.api().withKey(ingestKey);
    recordActivityForEveryPlot();
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (node != null) node.close();
  }

  @BeforeEach
  void signedOutOnAFreshPage() {
    browser.get(base + "/admin/");
    // a session of an earlier test would sign this page in at once
    script("sessionStorage.clear(); localStorage.clear();");
    browser.navigate().refresh();
    awaitTrue("the sign-in form", () -> shown("signin") && !shown("dashboard"));
    browserErrors(); // what the page logged before this test is not this test's
  }

  @AfterEach
  void noErrorsInTheConsoleAndNoCspViolations() {
    SoftAssertions page = new SoftAssertions();
    page.assertThat(browserErrors()).as("SEVERE browser console entries").isEmpty();
    page.assertThat(script("return window.freshetTestCspViolations ?? null"))
        .as("CSP violations of the page (null: the watch is not installed)")
        .isEqualTo(List.of());
    page.assertAll();
  }

  private static final String CSP_WATCH =
      """
      window.freshetTestCspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.freshetTestCspViolations.push(
          `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
      """;

  // ---- signing in

  @Test
  @Order(1)
  void aWrongOrIngestOnlyKeyIsRefusedAndTheAdminKeyStaysInThisTabOnly() {
    signIn(WRONG_KEY);
    awaitTrue("the refusal", () -> shown("signin-error"));
    assertThat(text("signin-error")).isEqualTo(serverMessageFor(WRONG_KEY));
    assertRefusedAndForgotten(WRONG_KEY);

    signIn(ingestKey);
    awaitTrue(
        "the ingest key's refusal", () -> text("signin-error").equals(serverMessageFor(ingestKey)));
    assertThat(text("signin-error")).contains("lacks the scope admin");
    assertRefusedAndForgotten(ingestKey);
    Chromium.screenshot(browser, "admin-signin-refused");
    // the browser logs each refused request; nothing else may be in its console
    assertThat(browserErrors())
        .isNotEmpty()
        .allMatch(
            line -> line.contains("/v1/admin/alerts") && line.matches(".*status of 40[13].*"),
            "only the two refused /v1/admin/alerts requests");

    signIn(ADMIN_KEY);
    awaitSignedIn();
    assertThat(script("return sessionStorage.getItem(arguments[0])", KEY_ITEM))
        .isEqualTo(ADMIN_KEY);
    assertThat(script("return localStorage.length")).isEqualTo(0L);
    assertThat(script("return document.cookie")).isEqualTo("");
    assertThat(browser.findElement(By.id("signin-key")).getDomProperty("value")).isEmpty();
    assertKeyInNoUrl(ADMIN_KEY);
    Chromium.screenshot(browser, "admin-signed-in");
  }

  // ---- the plots

  @Test
  @Order(3)
  void everyPlotDrawsTheNumbersTheApiAnswered() {
    awaitDashboardDataSettled();
    awaitNodeHistory(NODE_HISTORY);
    signIn(ADMIN_KEY);
    awaitSignedIn();
    for (String plot : PLOTS.values()) {
      awaitTrue(plot + " drawn", () -> "ready".equals(attribute(plot, "data-state")));
      assertThat(Integer.parseInt(attribute(plot, "data-points"))).as(plot).isPositive();
    }
    // a young node's samples fill a few pixels of an hour: its operator looks at 15 minutes
    new Select(browser.findElement(By.id("metrics-range"))).selectByValue("15m");
    for (String plot : List.of("latency", "lag", "pool")) {
      awaitTrue(plot + " over 15 minutes", () -> timeAxisSpan(plot) == 15 * 60_000L);
    }
    // the answers cannot have changed since the page asked: this class records nothing meanwhile
    assertActivityPlotted(ok(admin.get("/v1/admin/dashboard/activity?range=24h")));
    assertFreshnessPlotted(ok(admin.get("/v1/admin/dashboard/freshness?range=24h")));
    assertNodeSamplesPlotted(
        ok(admin.get("/v1/admin/dashboard/metrics?range=15m")), ok(admin.get("/v1/admin/pool")));
    assertDataOnEveryCanvas();
    assertAlertsShown();
    Chromium.screenshot(browser, "admin-dashboard");
  }

  private static void assertActivityPlotted(JsonNode activity) {
    Map<String, JsonNode> plotted = series("impressions");
    assertThat(values(plotted.get("impressions"))).isEqualTo(bucketed(activity, "impressions"));
    assertThat(values(plotted.get("interactions"))).isEqualTo(bucketed(activity, "interactions"));
    assertThat(sum(plotted.get("impressions")))
        .isEqualTo(activity.path("totals").path("impressions").asDouble())
        .isEqualTo(firstImpressions.size());
    assertThat(sum(plotted.get("interactions"))).isEqualTo(interactions);
    assertThat(text("activity-totals")).startsWith(firstImpressions.size() + " impressions");
    assertThat(values(series("activeUsers").get("active users")))
        .isEqualTo(bucketed(activity, "activeUsers"));
  }

  private static void assertFreshnessPlotted(JsonNode freshness) {
    assertThat(heatmapCells(series("freshnessHeatmap").get("users")))
        .isEqualTo(heatmapCells(freshness))
        .isNotEmpty();
    assertThat(series("freshnessGauge").get("freshness KPI").path(0).path("value").asDouble())
        .isEqualTo(kpiPercent(freshness.path("kpi")));
  }

  /**
   * Every point drawn is the sample the API has at that time, and the generation request is one.
   */
  private static void assertNodeSamplesPlotted(JsonNode metrics, JsonNode pool) {
    Map<String, JsonNode> latency = series("latency");
    for (String[] s :
        List.of(
            new String[] {"ingest p50", "ingestP50"},
            new String[] {"ingest p95", "ingestP95"},
            new String[] {"ingest p99", "ingestP99"},
            new String[] {"ranking p95", "rankingP95"},
            new String[] {"ranking p99", "rankingP99"})) {
      assertSamplesDrawn(latency.get(s[0]), metrics, s[1]);
    }
    assertSamplesDrawn(series("lag").get("read-model lag"), metrics, "readModelLag");
    Map<String, JsonNode> plotted = series("pool");
    assertSamplesDrawn(plotted.get("requests"), metrics, "poolRequests");
    assertSamplesDrawn(plotted.get("failures"), metrics, "poolFailures");
    assertSamplesDrawn(plotted.get("users at risk"), metrics, "usersAtRisk");
    assertThat(sum(plotted.get("requests")))
        .as("the generation request of this node, in the plot")
        .isEqualTo(pool.path("totals").path("requests").asDouble())
        .isGreaterThanOrEqualTo(1);
  }

  /** Pixels that only the data draws: the same plot without its data differs there. */
  private static void assertDataOnEveryCanvas() {
    SoftAssertions canvases = new SoftAssertions();
    for (String plot : PLOTS.keySet()) {
      Map<String, Object> pixels = dataPixels(plot, null);
      canvases
          .assertThat(((Number) pixels.get("copyDiffers")).longValue())
          .as(plot + ": pixels where an off-screen copy of its option differs from the page")
          .isLessThan(10);
      canvases
          .assertThat(((Number) pixels.get("data")).longValue())
          .as(plot + ": pixels of its data on the canvas")
          .isGreaterThan(MIN_DATA_PIXELS);
    }
    canvases
        .assertThat(((Number) dataPixels("pool", "requests").get("data")).longValue())
        .as("pixels of the generation request's bar")
        .isGreaterThan(MIN_DATA_PIXELS);
    canvases.assertAll();
  }

  // ---- the live feed

  @Test
  @Order(2)
  void theLiveFeedShowsAnImpressionWithinTwoSecondsAndFiltersAndPauses() {
    signIn(ADMIN_KEY);
    awaitSignedIn();
    awaitTrue(
        "the feed connected", () -> "connected".equals(attribute("feed-status", "data-state")));

    long sent = System.nanoTime();
    see(ingest, "feed-ann", "b30", "b31");
    awaitFeedEntry("feed-ann", "b30");
    long millis = (System.nanoTime() - sent) / 1_000_000;
    assertThat(millis).as("ms from the POST to the entry on the page").isLessThan(2000);

    browser.findElement(By.id("feed-user")).sendKeys("feed-ann");
    browser.findElement(By.id("feed-apply")).click();
    awaitTrue("the filter applied", () -> text("feed-status").contains("only user feed-ann"));
    see(ingest, "feed-bob", "b32");
    see(ingest, "feed-ann", "b33");
    // the feed keeps order: had bob's impression been let through, it would be here before ann's
    awaitFeedEntry("feed-ann", "b33");
    assertThat(feedEntries()).noneMatch(e -> e.user.equals("feed-bob"));
    assertThat(feedEntries()).allMatch(e -> e.user.equals("feed-ann"));

    browser.findElement(By.id("feed-pause")).click();
    awaitTrue("paused", () -> "paused".equals(attribute("feed-status", "data-state")));
    assertThat(attribute("feed-pause", "aria-pressed")).isEqualTo("true");
    see(ingest, "feed-ann", "b34");
    browser.findElement(By.id("feed-pause")).click();
    awaitTrue("resumed", () -> "connected".equals(attribute("feed-status", "data-state")));
    // the server may take the resume a moment after the page shows it: one more impression at a
    // time until one is shown (the one sent while paused would be shown before it)
    String shownAfterResume = seeUntilShown("feed-ann", List.of("b35", "b36", "b37", "b38"));
    assertThat(feedEntries())
        .as("nothing sent while paused; " + shownAfterResume + " after resuming")
        .noneMatch(e -> e.items.contains("b34"));
    Chromium.screenshot(browser, "admin-live-feed");
  }

  // ---- recording activity

  /**
   * A catalog, impressions and interactions of several users and two recommendations; one user sees
   * nearly the whole pool, so that the node asks its generator for new items. Waits until the pool
   * generation has completed and the node's samples have everything a plot shows.
   */
  private static void recordActivityForEveryPlot() {
    assertThat(admin.post("/v1/items", Api.items("b", 40, 4, "active")).status()).isEqualTo(200);
    // 36 of 40 seen: 90 % coverage crosses two generation thresholds at once
    see(admin, "pool-reader", Api.ids("b", 0, 36).toArray(String[]::new));
    see(admin, "dash-1", "b1", "b2", "b3", "b1");
    see(admin, "dash-2", "b2", "b4");
    see(admin, "dash-3", "b5", "b6", "b7", "b8", "b9");
    see(admin, "dash-4", "b10");
    interact("click", "dash-1", "b1");
    interact("like", "dash-2", "b4");
    interact("click", "dash-3", "b5");
    interact("click", "dash-5", "b11"); // active without an impression
    for (String user : List.of("dash-1", "dash-2")) {
      assertThat(admin.get("/v1/users/" + user + "/recommendations?k=5").status()).isEqualTo(200);
    }
    Eventually.until(
        "a completed pool generation request",
        Duration.ofSeconds(30),
        () -> ok(admin.get("/v1/admin/pool")),
        pool -> pool.path("completed").size() >= 1);
    Eventually.until(
        "samples of ingest, ranking, read-model lag and the generation request",
        Duration.ofSeconds(30),
        () -> ok(admin.get("/v1/admin/dashboard/metrics?range=1h")),
        m ->
            anyValue(m, "ingestP99")
                && anyValue(m, "rankingP95")
                && anyValue(m, "readModelLag")
                && sum(m.path("series").path("poolRequests")) >= 1);
  }

  private static void see(Api api, String user, String... items) {
    assertThat(api.post("/v1/impressions", Api.impressions(user, List.of(items))).status())
        .isEqualTo(202);
    for (String item : items) firstImpressions.add(user + "/" + item);
    activeUsers.add(user);
  }

  private static void interact(String kind, String user, String item) {
    assertThat(admin.post("/v1/events", Api.events(Api.event(kind, user, item))).status())
        .isEqualTo(202);
    interactions++;
    activeUsers.add(user);
  }

  /**
   * Until the read models hold all this class recorded and every user's feature snapshot, and the
   * freshness answer stays the same: from then on the page and this test read the same numbers.
   */
  private static void awaitDashboardDataSettled() {
    Eventually.until(
        "the activity of " + activeUsers.size() + " users in the read models",
        Duration.ofSeconds(30),
        () -> ok(admin.get("/v1/admin/dashboard/activity?range=24h")).path("totals"),
        t ->
            t.path("impressions").asInt() == firstImpressions.size()
                && t.path("interactions").asInt() == interactions
                && t.path("activeUsers").asInt() == activeUsers.size());
    // unchanged for longer than the snapshots' interval (1 s): no snapshot is still to come
    JsonNode[] previous = {null};
    long[] since = {System.nanoTime()};
    Eventually.until(
        "a feature snapshot of each user, unchanged for 1.5 s",
        Duration.ofSeconds(30),
        () -> ok(admin.get("/v1/admin/dashboard/freshness?range=24h")),
        f -> {
          // from and to move with the clock; the counts must not
          ObjectNode counts = JSON.createObjectNode();
          counts.set("users", f.path("users"));
          counts.set("kpi", f.path("kpi"));
          if (!counts.equals(previous[0])) since[0] = System.nanoTime();
          previous[0] = counts;
          return f.path("kpi").path("snapshotUsers").asInt() == activeUsers.size()
              && System.nanoTime() - since[0] > Duration.ofMillis(1500).toNanos();
        });
  }

  /** Until the node has sampled its metrics for {@code span}. */
  private static void awaitNodeHistory(Duration span) {
    Eventually.until(
        span.toSeconds() + " s of the node's samples",
        Duration.ofSeconds(30),
        () -> ok(admin.get("/v1/admin/dashboard/metrics?range=15m")),
        m -> m.path("times").size() * m.path("sampleSeconds").asLong() >= span.toSeconds());
  }

  // ---- the page

  private static Object script(String js, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(js, args);
  }

  private static boolean shown(String id) {
    return browser.findElement(By.id(id)).isDisplayed();
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static String attribute(String id, String name) {
    return browser.findElement(By.id(id)).getDomAttribute(name);
  }

  private static void signIn(String key) {
    WebElement input = browser.findElement(By.id("signin-key"));
    input.clear();
    input.sendKeys(key);
    browser.findElement(By.id("signin-submit")).click();
  }

  private static void awaitSignedIn() {
    awaitTrue("the dashboard", () -> shown("dashboard") && !shown("signin"));
  }

  private static void assertRefusedAndForgotten(String key) {
    assertThat(shown("dashboard")).isFalse();
    assertThat(script("return sessionStorage.length")).isEqualTo(0L);
    assertThat(script("return localStorage.length")).isEqualTo(0L);
    assertKeyInNoUrl(key);
  }

  /** Neither the address bar nor any request the page made has the key in its URL. */
  private static void assertKeyInNoUrl(String key) {
    assertThat(browser.getCurrentUrl()).doesNotContain(key);
    @SuppressWarnings("unchecked")
    List<String> requested =
        (List<String>) script("return performance.getEntries().map(e => e.name)");
    assertThat(requested).isNotEmpty().noneMatch(url -> url.contains(key));
  }

  /** The message the API answers a request with {@code key}, as the sign-in form should show it. */
  private static String serverMessageFor(String key) {
    Api.Response refused = node.api().withKey(key).get("/v1/admin/alerts");
    assertThat(refused.status()).isIn(401, 403);
    return refused.body().path("error").path("message").asText();
  }

  /** The browser console's SEVERE entries since the last call. */
  private static List<String> browserErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(entry.getMessage());
    }
    return errors;
  }

  /** The width of a plot's time axis in ms, as the chart holds it. */
  private static long timeAxisSpan(String plot) {
    Object span =
        script(
            "const x = window.freshetDashboard.charts[arguments[0]].getOption().xAxis[0];"
                + " return x.max - x.min;",
            plot);
    return ((Number) span).longValue();
  }

  /** A plot's series as the chart holds them (getOption()), by series name. */
  private static Map<String, JsonNode> series(String plot) {
    String json =
        (String)
            script(
                "return JSON.stringify(window.freshetDashboard.charts[arguments[0]].getOption()"
                    + ".series.map(s => ({name: s.name, data: s.data})))",
                plot);
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode s : parse(json)) byName.put(s.path("name").asText(), s.path("data"));
    return byName;
  }

  /**
   * Counts the canvas pixels of a plot that its data draws: the page's canvas against an off-screen
   * copy of the same option with the data (of series {@code only}, or of all) made transparent,
   * within the plot area (the legend shows series colours without any data). Also counts how far an
   * off-screen copy of the unchanged option differs from the page's canvas, which must be next to
   * nothing for the first count to mean anything.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> dataPixels(String plot, String only) {
    return (Map<String, Object>) script(DATA_PIXELS, plot, PLOTS.get(plot), only);
  }

  private static final String DATA_PIXELS =
      """
      const [name, id, only] = arguments;
      const chart = window.freshetDashboard.charts[name];
      const canvas = document.getElementById(id).querySelector("canvas");
      const option = chart.getOption();
      const width = chart.getWidth(), height = chart.getHeight();
      const pixels = (c) => c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      function draw(opt) {
        const div = document.createElement("div");
        const copy = echarts.init(div, null, {
          renderer: "canvas", width, height, devicePixelRatio: window.devicePixelRatio });
        copy.setOption(opt);
        const data = pixels(div.querySelector("canvas"));
        copy.dispose();
        return data;
      }
      const transparent = (style) => ({ ...(style ?? {}), opacity: 0 });
      function withoutData(s) {
        if (only !== null && s.name !== only) return s;
        switch (s.type) {
          case "gauge":
            // the threshold marker is the rule, not data
            return s.name === "alert threshold" ? s : {
              ...s, pointer: { ...s.pointer, show: false }, anchor: { ...s.anchor, show: false },
              detail: { ...s.detail, show: false }, title: { ...s.title, show: false } };
          case "line":
            return { ...s, lineStyle: transparent(s.lineStyle), itemStyle: transparent(s.itemStyle),
              areaStyle: s.areaStyle ? transparent(s.areaStyle) : s.areaStyle };
          default:
            return { ...s, itemStyle: transparent(s.itemStyle) };
        }
      }
      const shown = pixels(canvas);
      const copy = draw(option);
      const blank = draw({ ...option, series: option.series.map(withoutData) });
      // the plot area in canvas pixels; a gauge has no grid and its whole canvas counts
      const grid = chart.getModel().getComponent("grid");
      const dpr = canvas.width / width;
      const rect = grid ? grid.coordinateSystem.getRect() : { x: 0, y: 0, width, height };
      // and the half of a line's width that ECharts lets out of it (a zero lies on the axis)
      const x0 = Math.floor((rect.x - 2) * dpr), x1 = Math.ceil((rect.x + rect.width + 2) * dpr);
      const y0 = Math.floor((rect.y - 2) * dpr), y1 = Math.ceil((rect.y + rect.height + 2) * dpr);
      const differs = (a, b, i) =>
        Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]),
          Math.abs(a[i + 2] - b[i + 2]), Math.abs(a[i + 3] - b[i + 3])) > 8;
      let data = 0, copyDiffers = 0;
      for (let y = 0; y < canvas.height; y++) {
        for (let x = 0; x < canvas.width; x++) {
          const i = (y * canvas.width + x) * 4;
          if (differs(shown, copy, i)) copyDiffers++;
          if (x >= x0 && x < x1 && y >= y0 && y < y1 && differs(shown, blank, i)) data++;
        }
      }
      return { data, copyDiffers };
      """;

  private static void assertSamplesDrawn(JsonNode drawn, JsonNode metrics, String series) {
    Map<Long, JsonNode> answered = new HashMap<>();
    JsonNode times = metrics.path("times");
    for (int i = 0; i < times.size(); i++)
      answered.put(times.get(i).asLong() * 1000, metrics.path("series").path(series).get(i));
    assertThat(drawn.size()).as(series).isPositive();
    for (JsonNode item : drawn) {
      JsonNode point = pair(item);
      long at = point.get(0).asLong();
      assertThat(answered).as(series + " sample at " + at).containsKey(at);
      JsonNode value = answered.get(at);
      if (value.isNull()) assertThat(point.get(1).isNull()).as(series + " at " + at).isTrue();
      else assertThat(point.get(1).asDouble()).as(series + " at " + at).isEqualTo(value.asDouble());
    }
  }

  /** The alerts panel lists the node's alerts, each with its state. */
  private static void assertAlertsShown() {
    Eventually.until(
        "the alerts panel showing the node's alerts and their states: " + alertsShown(),
        Duration.ofSeconds(30),
        () -> ok(admin.get("/v1/admin/alerts")),
        answer -> {
          Map<String, String> api = new HashMap<>();
          for (JsonNode a : answer.path("alerts"))
            api.put(a.path("name").asText(), a.path("state").asText());
          return !api.isEmpty() && api.equals(alertsShown());
        });
  }

  /** Alert name → data-state, as listed (read in one script: each refresh replaces the list). */
  private static Map<String, String> alertsShown() {
    JsonNode read =
        parse(
            (String)
                script(
                    "return JSON.stringify([...document.querySelectorAll('#alerts li.alert')]"
                        + ".map(a => [a.querySelector('.alert-name').textContent,"
                        + " a.dataset.state]))"));
    Map<String, String> shown = new HashMap<>();
    for (JsonNode a : read) shown.put(a.get(0).asText(), a.get(1).asText());
    return shown;
  }

  // ---- the feed

  private record FeedEntry(String type, String user, String items) {}

  /** The feed's entries, newest first (read in one script: the list changes under a reader). */
  private static List<FeedEntry> feedEntries() {
    JsonNode read =
        parse(
            (String)
                script(
                    "return JSON.stringify([...document.querySelectorAll('#feed .feed-entry')]"
                        + ".map(e => [e.dataset.type, e.dataset.user,"
                        + " e.querySelector('.feed-items').title]))"));
    List<FeedEntry> entries = new ArrayList<>();
    for (JsonNode e : read)
      entries.add(new FeedEntry(e.get(0).asText(), e.get(1).asText(), e.get(2).asText()));
    return entries;
  }

  private static boolean feedShows(String user, String item) {
    return feedEntries().stream()
        .anyMatch(
            e ->
                e.type.equals("impression")
                    && e.user.equals(user)
                    && List.of(e.items.split(", ")).contains(item));
  }

  private static void awaitFeedEntry(String user, String item) {
    awaitTrue(
        "the impression of " + item + " to " + user + " in the feed", () -> feedShows(user, item));
  }

  /** Sends one impression after another, each waited for a second, until one is shown. */
  private static String seeUntilShown(String user, List<String> items) {
    for (String item : items) {
      see(ingest, user, item);
      try {
        new WebDriverWait(browser, Duration.ofSeconds(1), Duration.ofMillis(50))
            .until(b -> feedShows(user, item));
        return item;
      } catch (TimeoutException notYet) {
        // the next one
      }
    }
    throw new AssertionError("none of " + items + " shown in the feed: " + feedEntries());
  }

  // ---- waiting and JSON

  private static void awaitTrue(String what, Supplier<Boolean> condition) {
    new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(50))
        .withMessage(what)
        .until(b -> condition.get());
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(json, e);
    }
  }

  private static boolean anyValue(JsonNode metrics, String series) {
    for (JsonNode v : metrics.path("series").path(series)) if (!v.isNull()) return true;
    return false;
  }

  /** The sum of numbers, or of the values of [time, value] points. */
  private static double sum(JsonNode values) {
    double sum = 0;
    for (JsonNode v : values) sum += (v.isNumber() ? v : pair(v).get(1)).asDouble();
    return sum;
  }

  /** A point of a line as drawn: [time, value], or {value: [time, value], …} when it is a dot. */
  private static JsonNode pair(JsonNode item) {
    return item.isObject() ? item.path("value") : item;
  }

  /** [[time ms, value], …] of points as drawn. */
  private static List<List<Double>> values(JsonNode points) {
    List<List<Double>> list = new ArrayList<>();
    for (JsonNode item : points) {
      JsonNode p = pair(item);
      list.add(List.of(p.get(0).asDouble(), p.get(1).asDouble()));
    }
    return list;
  }

  /** The same pairs from an activity answer: bucket start in ms and the series' count. */
  private static List<List<Double>> bucketed(JsonNode activity, String series) {
    List<List<Double>> list = new ArrayList<>();
    JsonNode buckets = activity.path("buckets");
    for (int i = 0; i < buckets.size(); i++) {
      list.add(List.of(buckets.get(i).asDouble() * 1000, activity.path(series).get(i).asDouble()));
    }
    return list;
  }

  /** "bucket/band=users" of each cell with users: from the heatmap's data or from the answer. */
  private static Set<String> heatmapCells(JsonNode cellsOrAnswer) {
    if (cellsOrAnswer.isArray()) {
      return toSet(
          cellsOrAnswer, c -> c.get(0).asInt() + "/" + c.get(1).asInt() + "=" + c.get(2).asInt());
    }
    Set<String> cells = new HashSet<>();
    JsonNode users = cellsOrAnswer.path("users");
    for (int i = 0; i < users.size(); i++) {
      for (int b = 0; b < users.get(i).size(); b++) {
        int n = users.get(i).get(b).asInt();
        if (n > 0) cells.add(i + "/" + b + "=" + n);
      }
    }
    return cells;
  }

  private static Set<String> toSet(JsonNode array, Function<JsonNode, String> f) {
    List<JsonNode> nodes = new ArrayList<>();
    array.forEach(nodes::add);
    return nodes.stream().map(f).collect(Collectors.toSet());
  }

  /** The KPI the gauge shows, in percent to one decimal: the live one when there is one. */
  private static double kpiPercent(JsonNode kpi) {
    JsonNode value = kpi.path("live").isNumber() ? kpi.path("live") : kpi.path("snapshot");
    return Math.round(value.asDouble() * 1000) / 10.0;
  }
}
