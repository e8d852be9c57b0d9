package dev.freshet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchConfigTest {

  private static BenchConfig parse(String... args) throws BenchConfig.UsageException {
    return BenchConfig.parse(List.of(args), Map.of());
  }

  @Test
  void defaultsMatchTheDemoCatalogAndTheBrief() throws Exception {
    BenchConfig c = parse("ingest");
    assertEquals("ingest", c.command());
    assertEquals(URI.create("http://127.0.0.1:8080"), c.baseUrl());
    assertEquals(Duration.ofSeconds(60), c.duration());
    assertEquals(Duration.ofSeconds(5), c.warmup());
    assertEquals(100_000, c.users());
    assertEquals(5_000, c.items());
    assertEquals("demo-", c.itemsPrefix());
    assertEquals(20, c.batch());
    assertEquals(20, c.k());
    assertEquals(64, c.concurrency());
    assertEquals(Duration.ofSeconds(10), c.timeout());
    assertNull(c.apiKey());
    assertEquals(20, c.stateSample());
  }

  @Test
  void flagsInBothSpellingsOverrideDefaults() throws Exception {
    BenchConfig c =
        parse(
            "rank",
            "--duration",
            "2m",
            "--warmup=0",
            "--users",
            "1_000",
            "--items=10000",
            "--items-prefix",
            "sku-",
            "--batch",
            "50",
            "--k=10",
            "--concurrency",
            "128",
            "--timeout",
            "1500ms",
            "--api-key",
            "secret",
            "--state-sample",
            "0",
            "--url",
            "http://node-1:9000/");
    assertEquals("rank", c.command());
    assertEquals(Duration.ofMinutes(2), c.duration());
    assertEquals(Duration.ZERO, c.warmup());
    assertEquals(1_000, c.users());
    assertEquals(10_000, c.items());
    assertEquals("sku-", c.itemsPrefix());
    assertEquals(50, c.batch());
    assertEquals(10, c.k());
    assertEquals(128, c.concurrency());
    assertEquals(Duration.ofMillis(1500), c.timeout());
    assertEquals("secret", c.apiKey());
    assertEquals(0, c.stateSample());
    assertEquals(URI.create("http://node-1:9000"), c.baseUrl(), "trailing slash dropped");
  }

  @Test
  void rankSpecDefaultsToTheSpecsRankingConditions() throws Exception {
    BenchConfig c = parse("rank-spec");
    assertEquals("rank-spec", c.command());
    assertEquals(1_000, c.users());
    assertEquals("su-", c.usersPrefix());
    assertEquals(10_000, c.items());
    assertEquals("s-", c.itemsPrefix());
    assertEquals(1_000, c.seen());
    assertEquals(30, c.interactions());
    assertEquals(42, c.seed());
    assertEquals("run", c.setup());
    assertEquals(4, c.setupConcurrency());
    assertEquals(20, c.k());
    assertEquals(64, c.concurrency());
    assertEquals("u-", parse("rank").usersPrefix(), "other commands keep their defaults");
    assertEquals(100_000, parse("rank").users());

    BenchConfig flagged =
        parse(
            "rank-spec",
            "--pool",
            "20000",
            "--users",
            "50",
            "--seen=2000",
            "--interactions",
            "0",
            "--seed",
            "-7",
            "--setup",
            "skip",
            "--setup-concurrency",
            "8",
            "--users-prefix",
            "bench-u-");
    assertEquals(20_000, flagged.items());
    assertEquals(50, flagged.users());
    assertEquals(2_000, flagged.seen());
    assertEquals(0, flagged.interactions());
    assertEquals(-7, flagged.seed());
    assertEquals("skip", flagged.setup());
    assertEquals(8, flagged.setupConcurrency());
    assertEquals("bench-u-", flagged.usersPrefix());
  }

  @Test
  void ingestLagKeepsTheIngestDefaultsAndWaitsUpToTwoMinutesForTheReadModels() throws Exception {
    BenchConfig c = parse("ingest-lag");
    assertEquals("ingest-lag", c.command());
    assertEquals(100_000, c.users());
    assertEquals(5_000, c.items());
    assertEquals(20, c.batch());
    assertEquals(Duration.ofSeconds(120), c.drainTimeout());
    assertEquals(
        Duration.ofSeconds(30), parse("ingest-lag", "--drain-timeout", "30s").drainTimeout());
  }

  @Test
  void rankSpecRejectsImpossibleSetups() {
    assertTrue(
        assertThrows(BenchConfig.UsageException.class, () -> parse("rank-spec", "--pool", "500"))
            .getMessage()
            .contains("--seen 1000 exceeds --pool 500"));
    assertTrue(
        assertThrows(BenchConfig.UsageException.class, () -> parse("rank-spec", "--setup", "maybe"))
            .getMessage()
            .contains("run, skip, only"));
    assertThrows(
        BenchConfig.UsageException.class, () -> parse("rank-spec", "--setup-concurrency", "0"));
    assertThrows(
        BenchConfig.UsageException.class, () -> parse("rank-spec", "--users-prefix", "a b"));
    assertThrows(BenchConfig.UsageException.class, () -> parse("rank-spec", "--seed", "x"));
  }

  @Test
  void environmentSuppliesUrlAndKeyButFlagsWin() throws Exception {
    Map<String, String> env =
        Map.of("FRESHET_URL", "http://10.0.0.5:8080", "FRESHET_API_KEY", "k1");
    BenchConfig fromEnv = BenchConfig.parse(List.of("all"), env);
    assertEquals(URI.create("http://10.0.0.5:8080"), fromEnv.baseUrl());
    assertEquals("k1", fromEnv.apiKey());
    BenchConfig flagged = BenchConfig.parse(List.of("all", "--url", "http://127.0.0.1:9090"), env);
    assertEquals(URI.create("http://127.0.0.1:9090"), flagged.baseUrl());
  }

  @Test
  void durationsAcceptUnits() throws Exception {
    assertEquals(Duration.ofSeconds(60), BenchConfig.parseDuration("d", "60"));
    assertEquals(Duration.ofSeconds(45), BenchConfig.parseDuration("d", "45s"));
    assertEquals(Duration.ofMillis(250), BenchConfig.parseDuration("d", "250ms"));
    assertEquals(Duration.ofMinutes(3), BenchConfig.parseDuration("d", "3m"));
    assertThrows(BenchConfig.UsageException.class, () -> BenchConfig.parseDuration("d", "ten"));
    assertThrows(BenchConfig.UsageException.class, () -> BenchConfig.parseDuration("d", "-5s"));
  }

  @Test
  void helpReturnsNull() throws Exception {
    assertNull(parse("--help"));
    assertNull(parse("ingest", "--help"));
  }

  @Test
  void badCommandLinesAreRejectedWithAReason() {
    assertTrue(
        assertThrows(BenchConfig.UsageException.class, () -> parse())
            .getMessage()
            .contains("missing"));
    assertTrue(
        assertThrows(BenchConfig.UsageException.class, () -> parse("load"))
            .getMessage()
            .contains("unknown command"));
    assertTrue(
        assertThrows(BenchConfig.UsageException.class, () -> parse("ingest", "--bogus", "1"))
            .getMessage()
            .contains("--bogus"));
    assertTrue(
        assertThrows(BenchConfig.UsageException.class, () -> parse("ingest", "--batch"))
            .getMessage()
            .contains("needs a value"));
    assertThrows(BenchConfig.UsageException.class, () -> parse("ingest", "--batch", "1001"));
    assertThrows(BenchConfig.UsageException.class, () -> parse("rank", "--k", "0"));
    assertThrows(
        BenchConfig.UsageException.class, () -> parse("ingest", "--items", "10", "--batch", "20"));
    assertThrows(BenchConfig.UsageException.class, () -> parse("ingest", "--duration", "0s"));
    assertThrows(BenchConfig.UsageException.class, () -> parse("ingest", "--url", "ftp://x"));
    assertThrows(BenchConfig.UsageException.class, () -> parse("ingest", "stray"));
  }
}
