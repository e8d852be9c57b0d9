package dev.freshet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BenchReportTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void percentilesOfAUniformSpreadAreExactWithinHistogramPrecision() {
    LatencyRecorder recorder = new LatencyRecorder();
    for (int ms = 1; ms <= 1000; ms++) { // 1 ms .. 1000 ms, once each
      recorder.recordNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }
    LatencyRecorder.Summary s = recorder.summary();
    assertEquals(1000, s.count());
    assertEquals(500.0, s.p50Ms(), 0.5);
    assertEquals(900.0, s.p90Ms(), 0.9);
    assertEquals(990.0, s.p99Ms(), 1.0);
    assertEquals(1000.0, s.maxMs(), 1.0);
    assertEquals(500.5, s.meanMs(), 0.5);
  }

  @Test
  void aSlowTailShowsInP99ButNotP50() {
    LatencyRecorder recorder = new LatencyRecorder();
    for (int i = 0; i < 980; i++) {
      recorder.recordNanos(TimeUnit.MICROSECONDS.toNanos(2_000)); // 2 ms
    }
    for (int i = 0; i < 20; i++) {
      recorder.recordNanos(TimeUnit.MILLISECONDS.toNanos(80)); // 2% at 80 ms
    }
    LatencyRecorder.Summary s = recorder.summary();
    assertEquals(2.0, s.p50Ms(), 0.002);
    assertEquals(80.0, s.p99Ms(), 0.08);
    assertEquals(3.56, s.meanMs(), 0.01); // (980 * 2 + 20 * 80) / 1000
  }

  @Test
  void emptyRecorderReportsZeros() {
    assertEquals(LatencyRecorder.Summary.EMPTY, new LatencyRecorder().summary());
  }

  private static WorkloadRunner.RunStats stats(
      double seconds,
      long ok,
      long invalid,
      Map<Integer, Long> statuses,
      Map<String, Long> errors,
      double p99) {
    return new WorkloadRunner.RunStats(
        seconds,
        ok,
        invalid,
        statuses,
        errors,
        new LatencyRecorder.Summary(ok, p99 / 3, p99 / 4, p99 / 2, p99, p99 * 2));
  }

  private static Map<String, Long> ingestCounters(long impressions, long recorded) {
    Map<String, Long> c = new LinkedHashMap<>();
    c.put("impressions", impressions);
    c.put("recorded", recorded);
    c.put("duplicates", impressions - recorded);
    return c;
  }

  @Test
  void ratesAreCountsOverTheMeasuredWindowAndTheTargetIsMet() {
    // 60 s, 330,000 ok batches of 20 = 6.6 M impressions = 110,000/s; p99 30 ms
    BenchReport report =
        new BenchReport(
            "ingest",
            Map.of("batch", 20),
            stats(60, 330_000, 0, Map.of(), Map.of(), 30),
            ingestCounters(6_600_000, 6_000_000),
            IngestWorkload.TARGET,
            List.of());
    assertEquals(110_000.0, report.throughput(), 1e-6);
    assertEquals(5_500.0, report.perSecond(330_000), 1e-6);
    assertEquals(100_000.0, report.perSecond(6_000_000), 1e-6);
    assertTrue(report.targetMet());
    assertEquals("target met", report.verdict());
  }

  @Test
  void everyShortfallIsNamed() {
    // 10 s, 40,000 ok rankings = 4,000/s; p99 12.5 ms; 3 x 503, 1 timeout, 2 empty rankings
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("rankings", 40_000L);
    counters.put("empty", 2L);
    BenchReport report =
        new BenchReport(
            "rank",
            Map.of("k", 20),
            stats(10, 40_000, 2, Map.of(503, 3L), Map.of("HttpTimeoutException", 1L), 12.5),
            counters,
            RankWorkload.TARGET,
            List.of("a note"));
    assertFalse(report.targetMet());
    assertEquals(
        List.of("rankings/s 4,000 < 5,000", "p99 12.5 ms > 10 ms", "6 failed requests"),
        report.shortfalls());
    assertEquals(
        "target not met (rankings/s 4,000 < 5,000; p99 12.5 ms > 10 ms; 6 failed requests)",
        report.verdict());
    String text = String.join("\n", report.lines());
    assertTrue(text.contains("requests:     4,001/s (40,006 in 10 s; 40,000 ok, 6 failed)"), text);
    assertTrue(text.contains("note:         a note"), text);
    assertTrue(
        text.contains("SPEC target:  rankings/s >= 5,000 and p99 <= 10 ms: target not met"), text);
  }

  @Test
  void aFastRunWithOneFailureIsNotMet() {
    BenchReport report =
        new BenchReport(
            "ingest",
            Map.of(),
            stats(60, 400_000, 0, Map.of(500, 1L), Map.of(), 10),
            ingestCounters(8_000_000, 8_000_000),
            IngestWorkload.TARGET,
            List.of());
    assertEquals(List.of("1 failed requests"), report.shortfalls());
  }

  @Test
  void jsonCarriesConditionsRatesLatencyFailuresAndVerdict() {
    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put("baseUrl", "http://127.0.0.1:8080");
    conditions.put("batch", 20);
    BenchReport report =
        new BenchReport(
            "ingest",
            conditions,
            stats(20, 100_000, 0, Map.of(429, 4L), Map.of(), 40),
            ingestCounters(2_000_000, 1_900_000),
            IngestWorkload.TARGET,
            List.of());
    JsonNode json = report.toJson(JSON);
    assertEquals("http://127.0.0.1:8080", json.at("/conditions/baseUrl").asText());
    assertEquals(20, json.at("/conditions/batch").asInt());
    assertEquals(100_004, json.get("requests").asLong());
    assertEquals(4, json.get("failed").asLong());
    assertEquals(100_000.0, json.get("impressionsPerS").asDouble(), 1e-9);
    assertEquals(95_000.0, json.get("recordedPerS").asDouble(), 1e-9);
    assertEquals(40.0, json.at("/latencyMs/p99").asDouble(), 1e-9);
    assertEquals(4, json.at("/failures/non2xx/429").asLong());
    assertFalse(json.at("/target/met").asBoolean());
    assertEquals("4 failed requests", json.at("/target/shortfalls/0").asText());
  }

  @Test
  void numbersAreGroupedAndTrimmed() {
    assertEquals("100,000", BenchReport.number(100_000));
    assertEquals("12.5", BenchReport.number(12.5));
    assertEquals("0.125", BenchReport.number(0.1254));
    assertEquals("1,235", BenchReport.number(1234.6));
    assertEquals("0", BenchReport.number(0.0));
  }

  @Test
  void rankConditionsNoteSaysWhetherTheRunMatchesTheSpec() {
    Map<String, Object> light = Map.of("poolSize", 5000L, "meanSeenItems", 60L);
    assertTrue(
        LoadGenerator.rankConditionsNote(light)
            .endsWith("pool 5,000, mean seen 60 -> conditions differ from the SPEC's"));
    Map<String, Object> heavy = Map.of("poolSize", 10000L, "meanSeenItems", 1000L);
    assertTrue(LoadGenerator.rankConditionsNote(heavy).endsWith("-> comparable"));
    assertTrue(LoadGenerator.rankConditionsNote(Map.of()).contains("unknown"));
  }
}
