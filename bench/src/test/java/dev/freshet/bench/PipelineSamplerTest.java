package dev.freshet.bench;

import static dev.freshet.bench.StubServer.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PipelineSamplerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long S = 1_000_000_000L;

  private static String row(
      String projection, String tag, double lag, long pending, long rows, boolean healthy) {
    return String.format(
        Locale.ROOT,
        "{\"projection\":\"%s\",\"tag\":\"%s\",\"healthy\":%s,\"offset\":7,"
            + "\"lagSeconds\":%s,\"pendingEvents\":%d,\"rowsPerSecond\":1.5,\"rowsTotal\":%d,\"skippedTotal\":1,"
            + "\"batchesTotal\":3,\"lastEventAt\":null,\"updatedAt\":null,\"lastError\":null}",
        projection,
        tag,
        healthy,
        lag,
        pending,
        rows);
  }

  @Test
  void parseKeepsTheUserTagsOfTheReportedProjectionsMaxLagAndSums() throws Exception {
    String body =
        "{\"pipelines\":["
            + String.join(
                ",",
                row("events", "user-0", 0, 0, 0, true),
                row("events", "user-1", 0.2, 3, 0, true),
                row("user_features", "all", 99, 99, 99, false),
                row("user_impressions", "user-0", 0.4, 12, 10_000, true),
                row("user_impressions", "user-1", 1.25, 30, 9_000, false),
                row("user_impressions", "user-2", 0, 0, 11_000, true),
                row("user_impressions", "user-3", 0.1, 2, 10_500, true))
            + "]}";
    Map<String, PipelineSampler.Standing> parsed =
        PipelineSampler.parse(body.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("events", "user_impressions"), new ArrayList<>(parsed.keySet()));
    assertEquals(
        new PipelineSampler.Standing(4, 1.25, 44, 40_500, 4, false),
        parsed.get("user_impressions"));
    assertEquals(new PipelineSampler.Standing(2, 0.2, 3, 0, 2, true), parsed.get("events"));
    assertTrue(
        PipelineSampler.parse("{\"pipelines\":[]}".getBytes(StandardCharsets.UTF_8)).isEmpty());
  }

  @Test
  void nearestRankPercentiles() {
    double[] sorted = new double[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1; // 1 .. 100
    }
    assertEquals(50, PipelineSampler.percentile(sorted, 50));
    assertEquals(95, PipelineSampler.percentile(sorted, 95));
    assertEquals(100, PipelineSampler.percentile(sorted, 100));
    assertEquals(2, PipelineSampler.percentile(new double[] {1, 2, 3}, 50));
    assertEquals(3, PipelineSampler.percentile(new double[] {1, 2, 3}, 95));
    assertEquals(0, PipelineSampler.percentile(new double[0], 95));
  }

  private static PipelineSampler.Sample sample(
      long atSeconds, double lag, long pending, long rows) {
    return new PipelineSampler.Sample(
        atSeconds * S,
        Map.of(
            "user_impressions", new PipelineSampler.Standing(4, lag, pending, rows, 0, true),
            "events", new PipelineSampler.Standing(4, lag / 2, pending, 0, 0, true)));
  }

  @Test
  void lagOverTheWindowRowsPerSecondAndCatchUpAfterTheLoad() {
    List<PipelineSampler.Sample> samples =
        List.of(
            sample(0, 0, 0, 0), // warm-up: not in the window
            sample(5, 0.5, 100, 1_000), // window 5 s .. 15 s
            sample(7, 1.0, 300, 21_000),
            sample(9, 0.5, 200, 41_000),
            sample(11, 3.0, 900, 61_000),
            sample(13, 1.0, 400, 81_000),
            sample(15, 0.5, 100, 101_000),
            sample(
                16, 4.0, 700, 105_000), // load stopped at 15.5 s; lag still rising, then draining
            sample(18, 0.2, 10, 120_000),
            sample(19, 0, 0, 121_000), // caught up 3.5 s after the load
            sample(20, 0, 0, 121_000));
    PipelineSampler.Summary summary =
        PipelineSampler.summarize(
            samples,
            5 * S,
            15 * S,
            15 * S + S / 2,
            Duration.ofSeconds(120),
            Duration.ofSeconds(1),
            Map.of());
    PipelineSampler.Figures f = summary.projections().get(0);
    assertEquals("user_impressions", f.projection());
    assertEquals(6, f.windowPolls());
    assertEquals(0.5, f.lagP50()); // sorted 0.5 0.5 0.5 1 1 3: rank 3
    assertEquals(3.0, f.lagP95());
    assertEquals(3.0, f.lagMax());
    assertEquals(4.0, f.lagMaxOverall());
    assertEquals(900, f.pendingMax());
    assertEquals(100_000, f.rowsInWindow());
    assertEquals(10.0, f.windowPollSeconds(), 1e-9);
    assertEquals(10_000.0, f.rowsPerSecond(), 1e-9);
    assertEquals(3.5, f.catchUpSeconds(), 1e-9);
    assertEquals(120_000 / 14.0, f.rowsPerSecondUntilCaughtUp(), 1e-9);
    assertEquals("events", summary.projections().get(1).projection());
    assertEquals(1.5, summary.projections().get(1).lagMax());
    assertEquals(List.of("user_impressions max lag 3 s > 2 s"), summary.shortfalls());
    String text = String.join("\n", summary.lines(Map.of("batch", 20)));
    assertTrue(text.contains("user_impressions lag (s): p50 0.5  p95 3  max 3  (6 polls"), text);
    assertTrue(
        text.contains(
            "user_impressions rows: 10,000/s in the measured window (100,000 rows over 10 s"),
        text);
    assertTrue(text.contains("user_impressions caught up: 3.5 s after the load stopped"), text);
    assertTrue(text.contains("target not met (user_impressions max lag 3 s > 2 s)"), text);
  }

  @Test
  void notCaughtUpWithinTheDrainTimeoutIsAShortfall() {
    List<PipelineSampler.Sample> samples =
        List.of(sample(1, 1, 10, 0), sample(2, 1.5, 20, 100), sample(3, 2, 30, 150));
    PipelineSampler.Summary summary =
        PipelineSampler.summarize(
            samples, 0, 2 * S, 2 * S, Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of());
    PipelineSampler.Figures f = summary.projections().get(0);
    assertNull(f.catchUpSeconds());
    assertNull(f.rowsPerSecondUntilCaughtUp());
    assertEquals(1.5, f.lagMax());
    assertEquals(100.0, f.rowsPerSecond(), 1e-9);
    assertEquals(
        List.of(
            "user_impressions not caught up within 1 s after the load",
            "events not caught up within 1 s after the load"),
        summary.shortfalls());
    assertFalse(summary.toJson(JSON, Map.of()).at("/target/met").asBoolean(true));
    assertTrue(summary.toJson(JSON, Map.of()).at("/user_impressions/catchUpS").isNull());
  }

  /**
   * A stub whose projections lag while impressions arrived in the last 300 ms, and catch up after.
   */
  @Test
  void ingestLagRunsIngestAndReportsTheReadModelsCatchingUp() throws Exception {
    AtomicLong impressions = new AtomicLong();
    AtomicLong lastImpressionAt = new AtomicLong();
    try (StubServer server = new StubServer()) {
      server.route("/health/ready", ex -> reply(ex, 200, "{\"status\":\"ready\"}"));
      server.route("/v1/items/", ex -> reply(ex, 200, "{\"id\":\"demo-0\"}"));
      server.route(
          "/v1/impressions",
          ex -> {
            ex.getRequestBody().readAllBytes();
            impressions.addAndGet(20);
            lastImpressionAt.set(System.nanoTime());
            reply(ex, 202, "{\"recorded\":20,\"duplicates\":0}");
          });
      server.route(
          "/v1/admin/pipelines",
          (HttpExchange ex) -> {
            boolean busy = System.nanoTime() - lastImpressionAt.get() < 300_000_000L;
            List<String> rows = new ArrayList<>();
            for (int tag = 0; tag < 4; tag++) {
              rows.add(
                  row(
                      "user_impressions",
                      "user-" + tag,
                      busy ? 0.5 + tag * 0.1 : 0,
                      busy ? 5 : 0,
                      impressions.get() / 4,
                      true));
              rows.add(row("events", "user-" + tag, busy ? 0.2 : 0, busy ? 5 : 0, 0, true));
            }
            rows.add(row("user_features", "all", 500, 10, 0, true));
            reply(ex, 200, "{\"pipelines\":[" + String.join(",", rows) + "]}");
          });
      BenchConfig config =
          BenchConfig.parse(
              List.of(
                  "ingest-lag",
                  "--url",
                  server.url(),
                  "--users",
                  "10",
                  "--items",
                  "1000",
                  "--concurrency",
                  "4",
                  "--duration",
                  "2s",
                  "--warmup",
                  "0",
                  "--drain-timeout",
                  "10s"),
              Map.of());
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      int exit =
          new LoadGenerator(config, new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
      String out = buffer.toString(StandardCharsets.UTF_8);
      assertEquals(0, exit, out);
      assertTrue(out.contains("== ingest =="), out);
      assertTrue(out.contains("== read models =="), out);
      assertTrue(out.contains("SPEC target:  read-model lag <= 2 s: target met"), out);
      List<String> results = out.lines().filter(l -> l.startsWith("RESULT ")).toList();
      assertEquals(1, results.size(), out);
      JsonNode result = JSON.readTree(results.get(0).substring("RESULT ".length()));
      JsonNode ui = result.at("/readModels/user_impressions");
      assertEquals(4, ui.get("tags").asInt());
      assertTrue(ui.get("windowPolls").asInt() >= 2, out);
      assertEquals(0.8, ui.at("/lagSeconds/max").asDouble(), 1e-9, out);
      assertTrue(ui.get("rowsPerS").asDouble() > 0, out);
      double catchUp = ui.get("catchUpS").asDouble(-1);
      assertTrue(catchUp >= 0 && catchUp < 3, out);
      assertEquals(0.2, result.at("/readModels/events/lagSeconds/max").asDouble(), 1e-9, out);
      assertEquals(20, result.at("/readModels/conditions/batch").asInt());
      assertTrue(result.at("/readModels/target/met").asBoolean(), out);
      assertTrue(result.at("/ingest/impressions").asLong() > 0, out);
    }
  }
}
