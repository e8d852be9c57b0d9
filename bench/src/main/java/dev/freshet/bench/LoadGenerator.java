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
 * Command line of the Freshet load generator: {@code ingest}, {@code rank} or {@code all} against a running
 * node. Prints human-readable lines and, last, one {@code RESULT {json}} line.
 */
public final class LoadGenerator {

  static final int EXIT_USAGE = 2;
  static final int EXIT_UNREACHABLE = 3;

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
    List<Workload> workloads = switch (config.command()) {
      case "ingest" -> List.of(new IngestWorkload(config));
      case "rank" -> List.of(new RankWorkload(config));
      default -> List.of(new IngestWorkload(config), new RankWorkload(config));
    };
    ObjectNode result = json.createObjectNode();
    result.put("tool", "freshet-bench");
    result.put("startedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    for (Workload workload : workloads) {
      BenchReport report = measure(workload);
      report.lines().forEach(out::println);
      out.println();
      result.set(workload.name(), report.toJson(json));
    }
    out.println("RESULT " + result);
    return 0;
  }

  private BenchReport measure(Workload workload) throws InterruptedException {
    out.printf("running %s against %s: %s warm-up, then %s measured, %d in flight%n", workload.name(),
        config.baseUrl(), seconds(config.warmup()), seconds(config.duration()), config.concurrency());
    WorkloadRunner.RunStats stats = new WorkloadRunner(() -> HttpConnection.to(config), System.err)
        .run(workload, config.warmup(), config.duration(), config.concurrency(), config.timeout());

    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put("baseUrl", config.baseUrl().toString());
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
    return new BenchReport(workload.name(), conditions, stats, workload.counters(), workload.target(), notes);
  }

  /** Says how the ranked users compare with the users the SPEC's ranking target is stated for. */
  static String rankConditionsNote(Map<String, Object> sampled) {
    String spec = String.format(Locale.ROOT,
        "the SPEC ranking target is stated for a %s-item pool and users with %s seen items",
        BenchReport.number(RankWorkload.SPEC_POOL), BenchReport.number(RankWorkload.SPEC_SEEN));
    if (sampled.isEmpty()) {
      return spec + "; /v1/users/{id}/state did not answer, so this run's conditions are unknown";
    }
    long pool = ((Number) sampled.get("poolSize")).longValue();
    long seen = ((Number) sampled.get("meanSeenItems")).longValue();
    boolean same = pool >= RankWorkload.SPEC_POOL && seen >= RankWorkload.SPEC_SEEN;
    return String.format(Locale.ROOT, "%s; sampled users here: pool %s, mean seen %s -> %s", spec,
        BenchReport.number(pool), BenchReport.number(seen),
        same ? "comparable" : "conditions differ from the SPEC's");
  }

  /** Returns null if the node is ready, else what is wrong. Warns when the item ids look unknown. */
  private String precheck() {
    try (HttpConnection connection = HttpConnection.to(config)) {
      int ready = connection.send(HttpConnection.Request.get("/health/ready")).status();
      if (ready != 200) {
        return config.baseUrl() + "/health/ready answered " + ready + " (node not ready yet?)";
      }
      String firstItem = config.itemsPrefix() + "0";
      int item = connection.send(HttpConnection.Request.get("/v1/items/" + firstItem)).status();
      if (item == 404) {
        out.println("warning: item " + firstItem + " is unknown to the node (demo catalog off?); "
            + "impressions of unknown ids and empty rankings will show in the figures");
      } else if (item != 200) {
        out.println("warning: GET /v1/items/" + firstItem + " answered " + item);
      }
      return null;
    } catch (IOException e) {
      return "cannot reach " + config.baseUrl() + " (" + e + "); start a node first, e.g. bin/freshet";
    }
  }

  private static String seconds(Duration d) {
    return BenchReport.number(d.toMillis() / 1000.0) + " s";
  }
}
