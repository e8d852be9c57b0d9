package dev.freshet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command line of the Freshet load generator: {@code ingest}, {@code rank}, {@code all}, {@code
 * rank-spec} (set up the SPEC's ranking conditions, then {@code rank}) or {@code ingest-lag}
 * ({@code ingest} while sampling the read models' lag) against a running node. Prints
 * human-readable lines and, last, one {@code RESULT {json}} line.
 */
public final class LoadGenerator {

  static final int EXIT_USAGE = 2;
  static final int EXIT_UNREACHABLE = 3;
  static final int EXIT_SETUP_FAILED = 4;

  /** rank-spec reads /state of this many users (first, last and evenly between) after the setup. */
  static final int VERIFY_SAMPLE = 5;

  /** Setup requests (1,000 items, 1,000 impressions) may take longer than a ranking. */
  static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

  /** ingest-lag polls GET /v1/admin/pipelines this often (the node refreshes it every 2 s). */
  static final Duration PIPELINES_POLL = Duration.ofSeconds(1);

  private final BenchConfig config;
  private final PrintStream out;
  private final ObjectMapper json = new ObjectMapper();

  LoadGenerator(BenchConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  public static void main(String[] args) throws InterruptedException {
    BenchConfig config;
    try {
      config = BenchConfig.parse(Arrays.asList(args), System.getenv());
    } catch (BenchConfig.UsageException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(BenchConfig.USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    if (config == null) {
      System.out.println(BenchConfig.USAGE);
      return;
    }
    System.exit(new LoadGenerator(config, System.out).run());
  }

  int run() throws InterruptedException {
    String problem = precheck();
    if (problem != null) {
      System.err.println("error: " + problem);
      return EXIT_UNREACHABLE;
    }
    List<Workload> workloads =
        switch (config.command()) {
          case "ingest", BenchConfig.INGEST_LAG -> List.of(new IngestWorkload(config));
          case "rank", BenchConfig.RANK_SPEC -> List.of(new RankWorkload(config));
          default -> List.of(new IngestWorkload(config), new RankWorkload(config));
        };
    ObjectNode result = json.createObjectNode();
    result.put("tool", "freshet-bench");
    result.put("startedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    if (isSpec()) {
      int exit = setUpSpec(result);
      if (exit != 0 || config.setup().equals("only")) {
        out.println("RESULT " + result);
        return exit;
      }
      out.println();
    }
    for (Workload workload : workloads) {
      PipelineSampler sampler =
          config.command().equals(BenchConfig.INGEST_LAG)
              ? new PipelineSampler(() -> HttpConnection.to(config), PIPELINES_POLL, System.err)
              : null;
      BenchReport report = measure(workload, sampler);
      report.lines().forEach(out::println);
      out.println();
      result.set(workload.name(), report.toJson(json));
      if (sampler != null) {
        PipelineSampler.Summary pipelines = sampler.summary();
        Map<String, Object> conditions = new LinkedHashMap<>(report.conditions());
        conditions.put("impressionsPerS", Math.round(report.throughput()));
        pipelines.lines(conditions).forEach(out::println);
        out.println();
        result.set("readModels", pipelines.toJson(json, conditions));
      }
    }
    out.println("RESULT " + result);
    return 0;
  }

  /**
   * Runs one workload; with a sampler, polls the read models during it and until they catch up
   * after it.
   */
  private BenchReport measure(Workload workload, PipelineSampler sampler)
      throws InterruptedException {
    out.printf(
        "running %s against %s: %s warm-up, then %s measured, %d in flight%s%n",
        workload.name(),
        config.baseUrl(),
        seconds(config.warmup()),
        seconds(config.duration()),
        config.concurrency(),
        sampler == null ? "" : "; polling /v1/admin/pipelines every " + seconds(PIPELINES_POLL));
    long started = System.nanoTime();
    if (sampler != null) {
      sampler.start();
    }
    WorkloadRunner.RunStats stats =
        new WorkloadRunner(HttpConnection.spread(config), System.err)
            .run(
                workload,
                config.warmup(),
                config.duration(),
                config.concurrency(),
                config.timeout());
    if (sampler != null) {
      long windowStart = started + config.warmup().toNanos();
      sampler.finish(
          windowStart,
          windowStart + config.duration().toNanos(),
          System.nanoTime(),
          config.drainTimeout());
    }

    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put("baseUrl", config.baseUrl().toString());
    if (!config.otherUrls().isEmpty()) conditions.put("otherUrls", config.otherUrls().toString());
    conditions.put("users", config.users());
    conditions.putAll(workload.conditions());
    conditions.put("concurrency", config.concurrency());
    conditions.put("durationS", config.duration().toMillis() / 1000.0);
    conditions.put("warmupS", config.warmup().toMillis() / 1000.0);
    conditions.put("clientCores", Runtime.getRuntime().availableProcessors());
    List<String> notes = new ArrayList<>();
    if (workload instanceof RankWorkload rank && config.stateSample() > 0) {
      Map<String, Object> sampled;
      try (HttpConnection connection = HttpConnection.to(config)) {
        sampled = rank.sampleUserState(connection, config.stateSample());
      }
      conditions.putAll(sampled);
      notes.add(rankConditionsNote(sampled));
    }
    if (isSpec()) {
      conditions.put("interactionsPerUser", config.interactions());
      conditions.put("seed", config.seed());
      notes.add(
          String.format(
              Locale.ROOT,
              "users %s0..%s%d set up by rank-spec (seed %d): %s distinct seen items "
                  + "and %s events each, catalog of %s items %s0..%s%d",
              config.usersPrefix(),
              config.usersPrefix(),
              config.users() - 1,
              config.seed(),
              BenchReport.number(config.seen()),
              BenchReport.number(config.interactions()),
              BenchReport.number(config.items()),
              config.itemsPrefix(),
              config.itemsPrefix(),
              config.items() - 1));
    }
    return new BenchReport(
        workload.name(), conditions, stats, workload.counters(), workload.target(), notes);
  }

  private boolean isSpec() {
    return config.command().equals(BenchConfig.RANK_SPEC);
  }

  /**
   * rank-spec: runs the setup (unless {@code --setup skip}), then reads a few users' state. Returns
   * 0 when the users are as set up, else {@link #EXIT_SETUP_FAILED}; puts the figures under "setup"
   * in the result.
   */
  private int setUpSpec(ObjectNode result) throws InterruptedException {
    SpecData data =
        new SpecData(
            config.seed(),
            config.items(),
            config.itemsPrefix(),
            config.usersPrefix(),
            System.currentTimeMillis());
    Duration timeout =
        config.timeout().compareTo(SETUP_TIMEOUT) > 0 ? config.timeout() : SETUP_TIMEOUT;
    SpecSetup setup =
        new SpecSetup(
            config,
            data,
            () -> new HttpConnection(config.baseUrl(), config.apiKey(), timeout),
            out,
            System.err);
    ObjectNode figures = result.putObject("setup");
    if (config.setup().equals("skip")) {
      out.println("setup: skipped (--setup skip); checking the users set up earlier on this node");
      figures.put("skipped", true);
    } else {
      try {
        figures.setAll(setup.run());
      } catch (SpecSetup.SetupException e) {
        out.println("setup failed: " + e.getMessage());
        figures.put("failed", e.getMessage());
        return EXIT_SETUP_FAILED;
      }
    }
    SpecSetup.Verification verification = setup.verify(VERIFY_SAMPLE);
    verification.users().forEach(u -> out.println("verify: " + u.line()));
    boolean specConditions =
        verification.poolSize() >= RankWorkload.SPEC_POOL
            && verification.minSeen() >= RankWorkload.SPEC_SEEN;
    out.println(verifyLine(verification));
    ObjectNode verify = figures.putObject("verify");
    verify.put("sampledUsers", verification.users().size());
    verify.put("poolSize", verification.poolSize());
    verify.put("minSeenItems", verification.minSeen());
    verify.put("meanSeenItems", verification.meanSeen());
    verify.put("asSetUp", verification.ok());
    verify.put("specConditions", specConditions);
    verification.problems().forEach(verify.putArray("problems")::add);
    return verification.ok() ? 0 : EXIT_SETUP_FAILED;
  }

  /** The summary line of the state check after the setup. */
  static String verifyLine(SpecSetup.Verification v) {
    String figures =
        String.format(
            Locale.ROOT,
            "verify: %d users sampled: poolSize %s, seen min %s mean %s",
            v.users().size(),
            BenchReport.number(v.poolSize()),
            BenchReport.number(v.minSeen()),
            BenchReport.number(v.meanSeen()));
    if (!v.ok()) {
      return figures + " -> NOT as set up: " + String.join("; ", v.problems());
    }
    boolean spec = v.poolSize() >= RankWorkload.SPEC_POOL && v.minSeen() >= RankWorkload.SPEC_SEEN;
    return figures
        + " -> as set up; "
        + (spec
            ? String.format(
                Locale.ROOT,
                "the SPEC's ranking conditions (%s-item pool, %s seen items, warm features)",
                BenchReport.number(RankWorkload.SPEC_POOL),
                BenchReport.number(RankWorkload.SPEC_SEEN))
            : "smaller than the SPEC's ranking conditions ("
                + BenchReport.number(RankWorkload.SPEC_POOL)
                + "-item pool, "
                + BenchReport.number(RankWorkload.SPEC_SEEN)
                + " seen items)");
  }

  /** Says how the ranked users compare with the users the SPEC's ranking target is stated for. */
  static String rankConditionsNote(Map<String, Object> sampled) {
    String spec =
        String.format(
            Locale.ROOT,
            "the SPEC ranking target is stated for a %s-item pool and users with %s seen items",
            BenchReport.number(RankWorkload.SPEC_POOL),
            BenchReport.number(RankWorkload.SPEC_SEEN));
    if (sampled.isEmpty()) {
      return spec + "; /v1/users/{id}/state did not answer, so this run's conditions are unknown";
    }
    long pool = ((Number) sampled.get("poolSize")).longValue();
    long seen = ((Number) sampled.get("meanSeenItems")).longValue();
    boolean same = pool >= RankWorkload.SPEC_POOL && seen >= RankWorkload.SPEC_SEEN;
    return String.format(
        Locale.ROOT,
        "%s; sampled users here: pool %s, mean seen %s -> %s",
        spec,
        BenchReport.number(pool),
        BenchReport.number(seen),
        same ? "comparable" : "conditions differ from the SPEC's");
  }

  /**
   * Returns null if the node is ready, else what is wrong. Warns when the item ids look unknown.
   */
  private String precheck() {
    try (HttpConnection connection = HttpConnection.to(config)) {
      int ready = connection.send(HttpConnection.Request.get("/health/ready")).status();
      if (ready != 200) {
        return config.baseUrl() + "/health/ready answered " + ready + " (node not ready yet?)";
      }
      String firstItem = config.itemsPrefix() + "0";
      int item = connection.send(HttpConnection.Request.get("/v1/items/" + firstItem)).status();
      if (isSpec()) {
        return precheckSpec(connection, firstItem, item);
      }
      if (item == 404) {
        out.println(
            "warning: item "
                + firstItem
                + " is unknown to the node (demo catalog off?); "
                + "impressions of unknown ids and empty rankings will show in the figures");
      } else if (item != 200) {
        out.println("warning: GET /v1/items/" + firstItem + " answered " + item);
      }
      return null;
    } catch (IOException e) {
      return "cannot reach "
          + config.baseUrl()
          + " ("
          + e
          + "); start a node first, e.g. bin/freshet";
    }
  }

  /**
   * rank-spec: the setup wants an otherwise empty catalog; --setup skip wants a catalog set up
   * earlier.
   */
  private String precheckSpec(HttpConnection connection, String firstItem, int item)
      throws IOException {
    if (config.setup().equals("skip")) {
      if (item == 404) {
        return "item " + firstItem + " is unknown: run rank-spec without --setup skip first";
      }
    } else if (item == 200) {
      out.println(
          "note: item "
              + firstItem
              + " exists: a setup ran on this node before. It runs again: the "
              + "items are upserted again, the impressions count as duplicates, and the events are added again");
    }
    if (!config.itemsPrefix().equals("demo-")
        && connection.send(HttpConnection.Request.get("/v1/items/demo-0")).status() == 200) {
      out.println(
          "warning: the demo catalog is loaded (demo-0 exists), so the pool is larger than --pool "
              + config.items()
              + "; start the node with FRESHET_DEMO_CATALOG=off on a fresh FRESHET_DATA_DIR");
    }
    return null;
  }

  private static String seconds(Duration d) {
    return BenchReport.number(d.toMillis() / 1000.0) + " s";
  }
}
