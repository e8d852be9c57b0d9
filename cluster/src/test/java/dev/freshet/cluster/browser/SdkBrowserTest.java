package dev.freshet.cluster.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.cluster.Api;
import dev.freshet.cluster.Eventually;
import dev.freshet.cluster.PrometheusText;
import dev.freshet.cluster.TestNodes;
import dev.freshet.cluster.browser.IngestProxy.FirstPost;
import dev.freshet.cluster.browser.IngestProxy.Post;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Issue 18's scenarios: the browser SDK in a real Chromium, on a shop's page served from another
 * origin than the node ({@link ShopPage}), loading the SDK from the node as the classic script
 * ({@code classic.html}) or the ES module ({@code module.html}), the node allowing that origin
 * only. Every outcome is judged by the node: the user's state ({@code seen}, interactions), the
 * history (each item once) and the metrics of impressions applied twice, not by the SDK's telemetry
 * alone. Where the requests themselves matter (a beacon or a fetch, under which key, how many, a
 * 503) the SDK sends through {@link IngestProxy}. One browser per test, so that each starts with
 * empty storage; each test has its own users and items.
 */
class SdkBrowserTest {

  private static final String ADMIN_KEY = "fk_sdk_browser_test_admin_5b8e";
  private static final Duration DEADLINE = Duration.ofSeconds(15);
  private static final String CLASSIC = "classic.html";
  private static final String MODULE = "module.html";

  /** Impressions the node had already (counted as views only), and batches written twice. */
  private static final List<String> APPLIED_TWICE =
      List.of(
          "freshet_ingest_impressions_duplicates_total",
          "freshet_ingest_user_batches_resent_total");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ShopPage shop;
  private static IngestProxy proxy;
  private static TestNodes.Standalone standalone;
  private static Api admin;
  private static String node;
  private static String pageKey;

  private ChromeDriver browser;
  private final List<LogEntry> console = new ArrayList<>();
  private Map<String, Double> appliedTwiceBefore;

  @BeforeAll
  static void start() {
    Chromium.require(); // without a browser, the class is skipped before anything starts
    // the shop's origin is known before the node starts, which must allow it
    shop = ShopPage.start();
    proxy = IngestProxy.start();
    standalone =
        TestNodes.standalone(
            Map.of(
                "freshet.auth.enabled",
                "on",
                "freshet.auth.admin-key",
                ADMIN_KEY,
                "freshet.http.cors.allowed-origins",
                shop.origin()));
    node = "http://127.0.0.1:" + standalone.node().httpPort();
    shop.use(node, proxy.origin());
    proxy.forwardTo(node);
    admin = standalone.api().withKey(ADMIN_KEY);
    Api.Response created =
        admin.post("/v1/admin/keys", "{\"name\":\"page\",\"scopes\":[\"ingest\",\"rank\"]}");
    assertThat(created.status()).isEqualTo(201);
    pageKey = created.body().path("key").asText();
  }

  @AfterAll
  static void stop() {
    if (standalone != null) standalone.close();
    if (proxy != null) proxy.close();
    if (shop != null) shop.close();
  }

  @BeforeEach
  void openBrowser() {
    // the tests of this class run one after another: what the metrics gain is the test's
    appliedTwiceBefore = appliedTwice();
    browser = Chromium.start();
  }

  @AfterEach
  void closeBrowser() {
    if (browser == null) return;
    try {
      readConsole();
      console.forEach(entry -> System.out.println("browser console: " + entry));
    } finally {
      browser.quit();
    }
  }

  // ---- the scenarios ---------------------------------------------------------------------------

  @Test
  void itemsScrolledIntoViewAreRecordedOnceWithTheDefaultsAndAClickArrives() {
    String user = "sdk-scroller";
    List<String> items = catalogItems("scroll", 8);
    open(CLASSIC);
    // two items fill 90% of the viewport: the third shows a fifth of itself, too little to count
    long height = Math.round(viewportHeight() * 0.45);
    js("shop.render(arguments[0], {height: arguments[1]})", items, height);
    init(node, user); // the defaults: half in view for 1 s, sent 2 s after the first
    js("shop.observe(arguments[0], 'r-scroll')", items);

    awaitTelemetry("the first two items, in view from the start", t -> t.get("queued") == 2);
    scrollTo("scroll-2");
    awaitTelemetry("items 2 and 3 after scrolling", t -> t.get("queued") == 4);
    scrollTo("scroll-4");
    awaitTelemetry("items 4 and 5 acknowledged", t -> t.get("flushed") == 6);

    // the page renders its list anew and observes every item again (as single-page apps do):
    // item 5, acknowledged already, is then in view as long as item 6, which is new
    js("shop.observe(arguments[0], 'r-scroll')", items);
    scrollTo("scroll-5");
    awaitTelemetry("item 6 acknowledged", t -> t.get("flushed") == 7 && t.get("pending") == 0);
    assertThat(telemetry().get("queued")).as("item 5 was not queued again").isEqualTo(7);

    js("Freshet.track('click', 'scroll-6', {rankingId: 'r-scroll', position: 6})");
    flush();

    JsonNode state = awaitState(user, s -> interactions(s, "click") == 1, "the click");
    assertThat(state.path("seen").asInt()).isEqualTo(7);
    // what was in view, each once; scroll-7 never was
    assertEachRecordedOnce(user, items.subList(0, 7));
    assertNothingAppliedTwice();
    assertPageWasClean();
  }

  @Test
  void closingTheTabSendsWhatWaitsByBeaconAndTheNextPageSettlesIt() {
    String user = "sdk-leaver";
    List<String> items = catalogItems("leave", 4);
    proxy.reset(FirstPost.FORWARDED);
    String blank = browser.getWindowHandle();
    browser.switchTo().newWindow(WindowType.TAB);
    open(MODULE);
    js("shop.render(arguments[0], {height: 200})", items);
    // nothing is sent before the tab closes: only its closing can send
    init(proxy.origin(), user, "minVisibleMs", 100, "flushIntervalMs", 600_000);
    js("shop.observe(arguments[0])", items);
    awaitTelemetry("four impressions waiting", t -> t.get("pending") == 4);
    js("Freshet.track('click', 'leave-1', {position: 1})"); // and the click that leaves the page
    assertThat(proxy.posts("/v1/impressions")).isEmpty();
    assertPageWasClean();

    browser.close();
    browser.switchTo().window(blank);

    Post impressions = eventually("the impressions' beacon", () -> onlyPost("/v1/impressions"));
    Post click = eventually("the click's beacon", () -> onlyPost("/v1/events"));
    for (Post beacon : List.of(impressions, click)) {
      assertThat(beacon.cameByBeacon()).as("text/plain, key in the query: " + beacon).isTrue();
      assertThat(beacon.nodeStatus()).isEqualTo(202);
    }
    awaitState(user, s -> s.path("seen").asInt() == 4, "seen");
    awaitState(user, s -> interactions(s, "click") == 1, "the click");

    // a beacon has no answer: the batches stayed stored under their keys, and the shop's next page
    // sends them again by fetch, which the node answers as the first time without applying them
    browser.switchTo().newWindow(WindowType.TAB);
    open(MODULE);
    init(proxy.origin(), user, "flushIntervalMs", 100);
    Post settled =
        eventually(
                "the stored impressions sent again",
                () -> proxy.posts("/v1/impressions"),
                p -> p.size() == 2)
            .get(1);
    assertThat(settled.cameByBeacon()).isFalse();
    assertThat(settled.idempotencyKey()).isEqualTo(impressions.idempotencyKey());
    assertThat(settled.nodeStatus()).isEqualTo(202);
    assertThat(settled.replayed()).as("the node replayed its first answer").isTrue();
    awaitAnswer("the stored queue settled", this::storedWaiting, 0L);
    assertThat(proxy.posts("/v1/events")).hasSize(2).allMatch(p -> p.nodeStatus() == 202);
    assertThat(proxy.posts("/v1/events").get(1).replayed()).isTrue();
    assertThat(interactions(state(user), "click")).isEqualTo(1);
    assertEachRecordedOnce(user, items);
    assertNothingAppliedTwice();
    assertPageWasClean();
  }

  @Test
  void impressionsRecordedOfflineAreSentOnceWhenTheBrowserIsBackOnline() {
    String user = "sdk-offline";
    List<String> items = catalogItems("offline", 5);
    proxy.reset(FirstPost.FORWARDED);
    open(CLASSIC);
    js("shop.render(arguments[0], {height: 200})", items);
    init(proxy.origin(), user, "minVisibleMs", 200, "flushIntervalMs", 300);
    goOffline(true);
    js("shop.observe(arguments[0])", items);
    awaitTelemetry("five impressions queued", t -> t.get("queued") == 5);
    flush(); // offline: nothing is tried
    Map<String, Long> offline = telemetry();
    assertThat(offline).containsEntry("pending", 5L).containsEntry("flushed", 0L);
    assertThat(offline).containsEntry("retried", 0L).containsEntry("failed", 0L);
    assertThat(proxy.posts("/v1/impressions")).isEmpty();
    assertThat(storedWaiting()).as("kept in storage").isEqualTo(5L);

    goOffline(false);
    awaitTelemetry("the queue sent", t -> t.get("flushed") == 5 && t.get("pending") == 0);
    awaitState(user, s -> s.path("seen").asInt() == 5, "seen");
    assertEachRecordedOnce(user, items);
    List<Post> posts = proxy.posts("/v1/impressions");
    assertThat(posts).as("one flush, one request").hasSize(1);
    assertThat(posts.get(0).nodeStatus()).isEqualTo(202);
    assertThat(telemetry()).containsEntry("retried", 0L);
    assertNothingAppliedTwice();
    assertPageWasClean();
  }

  @Test
  void aBatchAnswered503IsRetriedOnceAfterRetryAfterUnderItsKey() {
    String user = "sdk-refused";
    List<String> items = catalogItems("refused", 3);
    proxy.reset(FirstPost.REFUSED);
    List<Post> posts = sendThroughTheProxy(MODULE, user, items);

    assertThat(posts).hasSize(2);
    Post refused = posts.get(0);
    Post retry = posts.get(1);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.nodeStatus()).as("the node never saw it").isZero();
    assertThat(retry.idempotencyKey()).isEqualTo(refused.idempotencyKey());
    assertThat(retry.nodeStatus()).isEqualTo(202);
    assertThat(Duration.ofNanos(retry.atNanos() - refused.atNanos()))
        .as("Retry-After: 1")
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(telemetry()).containsEntry("retried", 1L).containsEntry("failed", 0L);
    awaitState(user, s -> s.path("seen").asInt() == 3, "seen");
    assertEachRecordedOnce(user, items);
    assertNothingAppliedTwice();
    assertPageWasClean(
        "/v1/impressions - Failed to load resource: the server responded with a "
            + "status of 503");
  }

  @Test
  void aBatchWhoseAnswerWasLostIsAppliedOnce() {
    String user = "sdk-unanswered";
    List<String> items = catalogItems("unanswered", 3);
    proxy.reset(FirstPost.ANSWER_LOST);
    List<Post> posts = sendThroughTheProxy(CLASSIC, user, items);

    assertThat(posts).hasSize(2);
    Post lost = posts.get(0);
    Post retry = posts.get(1);
    assertThat(lost.nodeStatus()).as("applied, then answered 503 by the proxy").isEqualTo(202);
    assertThat(lost.status()).isEqualTo(503);
    assertThat(retry.idempotencyKey()).isEqualTo(lost.idempotencyKey());
    assertThat(retry.replayed()).as("the node replayed its first answer").isTrue();
    assertThat(telemetry()).containsEntry("retried", 1L).containsEntry("flushed", 3L);
    awaitState(user, s -> s.path("seen").asInt() == 3, "seen");
    assertEachRecordedOnce(user, items);
    assertNothingAppliedTwice();
    assertPageWasClean(
        "/v1/impressions - Failed to load resource: the server responded with a "
            + "status of 503");
  }

  @Test
  void twoTabsOfOneUserRecordEachItemOnce() {
    String user = "sdk-two-tabs";
    List<String> items = catalogItems("tabs", 10);
    List<String> seenInA = items.subList(0, 6);
    List<String> seenInB = items.subList(0, 7);
    List<String> seenInBoth = items.subList(7, 10);
    Object[] fast = {"minVisibleMs", 200, "flushIntervalMs", 200};
    String tabA = browser.getWindowHandle();
    open(CLASSIC);
    js("shop.render(arguments[0], {height: 100, tile: true})", items);
    init(node, user, fast);
    browser.switchTo().newWindow(WindowType.WINDOW);
    String tabB = browser.getWindowHandle();
    open(MODULE);
    js("shop.render(arguments[0], {height: 100, tile: true})", items);
    init(node, user, fast);
    assertThat(js("return document.visibilityState")).isEqualTo("visible");

    browser.switchTo().window(tabA);
    assertThat(js("return document.visibilityState")).isEqualTo("visible");
    js("shop.observe(arguments[0])", seenInA);
    awaitTelemetry("tab A's six acknowledged", t -> t.get("flushed") == 6);

    // tab B shows the same six and one more: the six were acknowledged for tab A, which told it so
    browser.switchTo().window(tabB);
    js("shop.observe(arguments[0])", seenInB);
    awaitTelemetry("tab B's own item acknowledged", t -> t.get("flushed") == 1);
    assertThat(telemetry().get("queued")).as("tab B queued only its own item").isEqualTo(1);
    awaitState(user, s -> s.path("seen").asInt() == 7, "seen");
    assertEachRecordedOnce(user, seenInB);
    assertNothingAppliedTwice();

    // both tabs show three more at the same moment: neither can know that the other sends them
    // too (the node counts such a second impression as a view), and the node records each once
    js("shop.observe(arguments[0])", seenInBoth);
    browser.switchTo().window(tabA);
    js("shop.observe(arguments[0])", seenInBoth);
    awaitState(user, s -> s.path("seen").asInt() == 10, "seen");
    assertEachRecordedOnce(user, items);
    assertPageWasClean();
    browser.switchTo().window(tabB);
    assertPageWasClean();
  }

  @Test
  void aBatchOver64KiBIsSplitAndNothingIsLost() throws JsonProcessingException {
    String user = "sdk-bulk";
    List<String> items = catalogItems(longIds("bulk", 600));
    proxy.reset(FirstPost.FORWARDED);
    open(MODULE);
    // tiles of 40 px: all 600 in view at once, queued together
    js("shop.render(arguments[0], {height: 40, tile: true})", items);
    init(proxy.origin(), user, "minVisibleMs", 100, "flushIntervalMs", 300);
    js("shop.observe(arguments[0], 'r-bulk')", items);
    awaitTelemetry("600 acknowledged", t -> t.get("flushed") == 600 && t.get("pending") == 0);

    List<Post> posts = proxy.posts("/v1/impressions");
    assertThat(posts).as("split").hasSizeGreaterThanOrEqualTo(2);
    assertThat(posts).allMatch(p -> p.bytes() <= 64 * 1024).allMatch(p -> p.nodeStatus() == 202);
    assertThat(idsSent(posts)).containsExactlyInAnyOrderElementsOf(items);
    assertThat(posts.stream().map(Post::idempotencyKey).distinct()).hasSameSizeAs(posts);
    awaitState(user, s -> s.path("seen").asInt() == 600, "seen");
    assertEachRecordedOnce(user, items);
    assertNothingAppliedTwice();
    assertPageWasClean();
  }

  /**
   * A page that closes with more than 64 KiB waiting: browsers let an unloading page have 64 KiB of
   * beacons (and keepalive requests) in flight, in all, so what fits goes by beacon and the rest
   * stays stored under its keys for the shop's next page, which sends it all and settles it.
   */
  @Test
  void aBacklogOver64KiBAtUnloadGoesAsFarAsItFitsAndTheNextPageSendsTheRest()
      throws JsonProcessingException {
    String user = "sdk-unload-bulk";
    List<String> items = catalogItems(longIds("unload", 600));
    proxy.reset(FirstPost.FORWARDED);
    String blank = browser.getWindowHandle();
    browser.switchTo().newWindow(WindowType.TAB);
    open(CLASSIC);
    js("shop.render(arguments[0], {height: 40, tile: true})", items);
    init(proxy.origin(), user, "minVisibleMs", 100, "flushIntervalMs", 600_000);
    js("shop.observe(arguments[0])", items);
    awaitTelemetry("600 waiting", t -> t.get("pending") == 600);
    assertPageWasClean();
    browser.close();
    browser.switchTo().window(blank);

    List<Post> beacons =
        eventually("a beacon", () -> proxy.posts("/v1/impressions"), p -> !p.isEmpty());
    assertThat(beacons).allMatch(Post::cameByBeacon).allMatch(p -> p.nodeStatus() == 202);

    browser.switchTo().newWindow(WindowType.TAB);
    open(CLASSIC);
    init(proxy.origin(), user, "flushIntervalMs", 100);
    awaitAnswer("the stored queue sent", this::storedWaiting, 0L);
    awaitState(user, s -> s.path("seen").asInt() == 600, "seen");
    List<Post> posts = proxy.posts("/v1/impressions");
    assertThat(posts).allMatch(p -> p.bytes() <= 64 * 1024).allMatch(p -> p.nodeStatus() == 202);
    assertThat(idsSent(posts)).containsAll(items);
    assertEachRecordedOnce(user, items);
    assertNothingAppliedTwice();
    assertPageWasClean();
  }

  // ---- the page --------------------------------------------------------------------------------

  /**
   * Opens the shop's {@code page} in the current tab and waits for the SDK to be there. A new tab
   * can still show its blank document when {@code get} returns, before the page's scripts ran, so
   * the probe asks whether they did rather than calling them; a failure names what the tab showed.
   */
  private void open(String page) {
    browser.get(shop.url(page));
    awaitAnswer("the SDK loaded on " + page, this::pageState, "ready");
  }

  /** "ready" once the page and the SDK are there, else where the tab is and what it has. */
  private String pageState() {
    return (String)
        js(
            "return typeof shop === 'object' && shop.ready() ? 'ready' : location.href + ' '"
                + " + document.readyState + ', page script: ' + typeof shop"
                + " + ', SDK: ' + typeof Freshet");
  }

  private Object js(String script, Object... arguments) {
    return browser.executeScript(script, arguments);
  }

  /** {@code Freshet.init} for {@code user}, sending to {@code endpoint}, with more options. */
  private void init(String endpoint, String user, Object... options) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("endpoint", endpoint);
    all.put("key", pageKey);
    all.put("userId", user);
    for (int i = 0; i < options.length; i += 2) all.put((String) options[i], options[i + 1]);
    js("Freshet.init(arguments[0])", all);
  }

  private long viewportHeight() {
    return (Long) js("return window.innerHeight");
  }

  /**
   * Scrolls as a visitor would: the page moves, the browser's IntersectionObserver tells the SDK.
   */
  private void scrollTo(String itemId) {
    js("shop.scrollTo(arguments[0])", itemId);
  }

  /** {@code Freshet.flush()}, waited for. */
  private void flush() {
    Object error =
        browser.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "Freshet.flush().then(() => done(null), (e) => done(String(e)));");
    assertThat(error).as("Freshet.flush()").isNull();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Long> telemetry() {
    return (Map<String, Long>) js("return Freshet.telemetry()");
  }

  private void awaitTelemetry(String what, Predicate<Map<String, Long>> done) {
    eventually(what, this::telemetry, done);
  }

  /** Impressions and events waiting in the SDK's queues kept in the shop origin's storage. */
  private long storedWaiting() {
    return (Long) js("return shop.storedWaiting()");
  }

  /**
   * DevTools' network conditions: offline, the page's requests fail and {@code navigator.onLine} is
   * false; back, the browser fires {@code online}.
   */
  private void goOffline(boolean offline) {
    Chromium.devTools(browser, "Network.enable", Map.of());
    Chromium.devTools(
        browser,
        "Network.emulateNetworkConditions",
        Map.of("offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    awaitAnswer("navigator.onLine " + !offline, () -> js("return navigator.onLine"), !offline);
  }

  /** Shows {@code items} in a page, observes them and waits until the SDK has them acknowledged. */
  private List<Post> sendThroughTheProxy(String page, String user, List<String> items) {
    open(page);
    js("shop.render(arguments[0], {height: 200})", items);
    init(proxy.origin(), user, "minVisibleMs", 100, "flushIntervalMs", 100);
    js("shop.observe(arguments[0])", items);
    awaitTelemetry(
        "all acknowledged", t -> t.get("flushed") == items.size() && t.get("pending") == 0);
    return proxy.posts("/v1/impressions");
  }

  /** The one POST to {@code path} the proxy saw, once it has seen one; null before. */
  private static Post onlyPost(String path) {
    List<Post> posts = proxy.posts(path);
    assertThat(posts).as("POSTs to " + path).hasSizeLessThanOrEqualTo(1);
    return posts.isEmpty() ? null : posts.get(0);
  }

  /** Keeps what the browser's console said so far (chromedriver hands each entry out once). */
  private void readConsole() {
    browser.manage().logs().get(LogType.BROWSER).forEach(console::add);
  }

  /**
   * The current page has no error it did not catch, and the console no error at all (no script or
   * request refused by the page's Content-Security-Policy, so the README's advice for such a page
   * holds; no uncaught error) but the {@code expected} ones, and no warning of the SDK's.
   */
  private void assertPageWasClean(String... expected) {
    readConsole();
    assertThat((List<?>) js("return shop.errors")).as("uncaught errors in the page").isEmpty();
    assertThat(console)
        .filteredOn(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .filteredOn(e -> Arrays.stream(expected).noneMatch(e.getMessage()::contains))
        .as("errors in the browser's console")
        .isEmpty();
    assertThat(console)
        .filteredOn(e -> e.getMessage().contains("Freshet"))
        .as("the SDK's warnings")
        .isEmpty();
  }

  // ---- the node --------------------------------------------------------------------------------

  private static List<String> catalogItems(String prefix, int count) {
    return catalogItems(IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList());
  }

  /** {@code count} ids of 120 characters: 600 of them make over 70 KiB of JSON. */
  private static List<String> longIds(String prefix, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> String.format("%s-%03d-%s", prefix, i, "x".repeat(115 - prefix.length())))
        .toList();
  }

  /** Puts {@code ids} in the catalog (impressions of unknown items are refused). */
  private static List<String> catalogItems(List<String> ids) {
    StringBuilder body = new StringBuilder("{\"items\":[");
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) body.append(',');
      body.append("{\"id\":\"")
          .append(ids.get(i))
          .append("\",\"category\":\"browser\",\"status\":\"active\"}");
    }
    body.append("]}");
    assertThat(admin.post("/v1/items", body.toString()).status()).isEqualTo(200);
    return ids;
  }

  /** The item ids of impression POSTs, each as often as it was sent. */
  private static List<String> idsSent(List<Post> posts) throws JsonProcessingException {
    List<String> ids = new ArrayList<>();
    for (Post post : posts) {
      JSON.readTree(post.body()).path("itemIds").forEach(id -> ids.add(id.asText()));
    }
    return ids;
  }

  /** {@code GET /v1/users/{user}/state}: seen, the features (interactions among them)… */
  private static JsonNode state(String user) {
    Api.Response state = admin.get("/v1/users/" + user + "/state");
    assertThat(state.status()).isEqualTo(200);
    return state.body();
  }

  private static JsonNode awaitState(String user, Predicate<JsonNode> done, String what) {
    return eventually(user + "'s state: " + what, () -> state(user), done);
  }

  private static long interactions(JsonNode state, String type) {
    return state.path("features").path("interactions").path(type).asLong();
  }

  /**
   * The user's impression history (every page of it) has each of {@code items} once, and nothing
   * else.
   */
  private static void assertEachRecordedOnce(String user, List<String> items) {
    Map<String, Integer> times = new LinkedHashMap<>();
    String next = null;
    do {
      String path = "/v1/users/" + user + "/history?limit=500";
      JsonNode page = admin.get(next == null ? path : path + "&before=" + next).body();
      for (JsonNode day : page.path("days")) {
        for (JsonNode entry : day.path("items")) {
          times.merge(entry.path("itemId").asText(), 1, Integer::sum);
        }
      }
      next = page.path("next").isTextual() ? page.path("next").asText() : null;
    } while (next != null);
    assertThat(times.keySet()).containsExactlyInAnyOrderElementsOf(items);
    assertThat(times.values()).as("entries per item").containsOnly(1);
  }

  /**
   * The node applied nothing twice since the test began: no impression it had already (which only
   * counts a view), no user's batch written again.
   */
  private void assertNothingAppliedTwice() {
    assertThat(appliedTwice()).isEqualTo(appliedTwiceBefore);
  }

  private static Map<String, Double> appliedTwice() {
    Map<String, Double> counters = new LinkedHashMap<>();
    PrometheusText metrics = PrometheusText.parse(admin.text("/metrics"));
    APPLIED_TWICE.forEach(name -> counters.put(name, metrics.sum(name)));
    return counters;
  }

  /** Asks {@code probe} until it answers {@code expected}, failing after {@link #DEADLINE}. */
  private static <T> void awaitAnswer(String what, Supplier<T> probe, T expected) {
    eventually(what, probe, expected::equals);
  }

  /** Asks {@code probe} until it answers something (not null), failing after {@link #DEADLINE}. */
  private static <T> T eventually(String what, Supplier<T> probe) {
    return eventually(what, probe, answer -> answer != null);
  }

  /** Asks {@code probe} until {@code done} holds, failing after {@link #DEADLINE}. */
  private static <T> T eventually(String what, Supplier<T> probe, Predicate<T> done) {
    return Eventually.until(what, DEADLINE, probe, done);
  }
}
