package dev.freshet.bench.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the {@code RESULT {json}} lines the load generator printed for Freshet and for the baseline
 * in the same run, and prints one table: each side's rate and p99, and their ratios.
 *
 * <pre>
 * java -cp freshet-bench.jar dev.freshet.bench.baseline.SameRunRatio \
 *     LABEL WORKLOAD COUNTER FRESHET_OUTPUT BASELINE_OUTPUT [LABEL WORKLOAD COUNTER F B ...]
 * </pre>
 *
 * WORKLOAD is the key in the RESULT json ({@code ingest}, {@code rank}), COUNTER the counted unit
 * ({@code impressions}, {@code rankings}).
 */
public final class SameRunRatio {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One side's figures for one workload. */
  record Figures(double perSecond, double p99Ms, long failed, long meanSeen) {
    static Figures of(JsonNode result, String workload, String counter) {
      JsonNode w = result.path(workload);
      if (w.isMissingNode()) {
        return null;
      }
      return new Figures(
          w.path(counter + "PerS").asDouble(),
          w.path("latencyMs").path("p99").asDouble(),
          w.path("failed").asLong(),
          w.path("conditions").path("meanSeenItems").asLong(-1));
    }
  }

  private SameRunRatio() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0 || args.length % 5 != 0) {
      System.err.println(
          "usage: SameRunRatio LABEL WORKLOAD COUNTER FRESHET_OUTPUT BASELINE_OUTPUT [...]");
      System.exit(2);
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        "| workload | Freshet | baseline | rate ratio (Freshet / baseline, > 1: Freshet faster)"
            + " | p99 ratio (Freshet / baseline, < 1: Freshet better) |");
    lines.add("| --- | --- | --- | --- | --- |");
    for (int i = 0; i < args.length; i += 5) {
      String counter = args[i + 2];
      Figures freshet = Figures.of(result(Path.of(args[i + 3])), args[i + 1], counter);
      Figures baseline = Figures.of(result(Path.of(args[i + 4])), args[i + 1], counter);
      lines.add(row(args[i], counter, freshet, baseline));
    }
    lines.forEach(System.out::println);
  }

  static String row(String label, String counter, Figures freshet, Figures baseline) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %s | %s |",
        label,
        side(counter, freshet),
        side(counter, baseline),
        freshet == null || baseline == null || baseline.perSecond() == 0
            ? "n/a"
            : String.format(Locale.ROOT, "**%.2f×**", freshet.perSecond() / baseline.perSecond()),
        freshet == null || baseline == null || baseline.p99Ms() == 0
            ? "n/a"
            : String.format(Locale.ROOT, "%.2f×", freshet.p99Ms() / baseline.p99Ms()));
  }

  static String side(String counter, Figures f) {
    if (f == null) {
      return "no result";
    }
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%,.0f %s/s, p99 %s ms",
                f.perSecond(),
                counter,
                f.p99Ms() >= 10
                    ? String.format(Locale.ROOT, "%.0f", f.p99Ms())
                    : String.format(Locale.ROOT, "%.1f", f.p99Ms())));
    if (f.failed() > 0) {
      s.append(String.format(Locale.ROOT, ", %,d failed", f.failed()));
    }
    if (f.meanSeen() >= 0) {
      s.append(String.format(Locale.ROOT, " (users' mean seen %,d)", f.meanSeen()));
    }
    return s.toString();
  }

  /** The last {@code RESULT {json}} line of a load generator's output. */
  static JsonNode result(Path output) throws IOException {
    JsonNode last = JSON.createObjectNode();
    for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
      if (line.startsWith("RESULT ")) {
        last = JSON.readTree(line.substring("RESULT ".length()));
      }
    }
    return last;
  }
}
