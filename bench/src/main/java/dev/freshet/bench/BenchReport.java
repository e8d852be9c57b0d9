package dev.freshet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The figures of one workload run, judged against its SPEC target, as text lines and as JSON. */
final class BenchReport {

  /**
   * SPEC target: at least {@code minPerSecond} of {@code counter} per second with p99 at most
   * {@code maxP99Ms}.
   */
  record Target(String counter, double minPerSecond, double maxP99Ms) {
    String describe() {
      return String.format(
          Locale.ROOT,
          "%s/s >= %s and p99 <= %s ms",
          counter,
          number(minPerSecond),
          number(maxP99Ms));
    }
  }

  private final String workload;
  private final Map<String, Object> conditions;
  private final WorkloadRunner.RunStats stats;
  private final Map<String, Long> counters;
  private final Target target;
  private final List<String> notes;

  BenchReport(
      String workload,
      Map<String, Object> conditions,
      WorkloadRunner.RunStats stats,
      Map<String, Long> counters,
      Target target,
      List<String> notes) {
    this.workload = workload;
    this.conditions = new LinkedHashMap<>(conditions);
    this.stats = stats;
    this.counters = new LinkedHashMap<>(counters);
    this.target = target;
    this.notes = List.copyOf(notes);
  }

  Map<String, Object> conditions() {
    return conditions;
  }

  double perSecond(long count) {
    return stats.measuredSeconds() > 0 ? count / stats.measuredSeconds() : 0;
  }

  /** The target's counter per second, e.g. durable impressions/s. */
  double throughput() {
    return perSecond(counters.getOrDefault(target.counter(), 0L));
  }

  /** Why the target is not met; empty when it is. Any failed request counts against it. */
  List<String> shortfalls() {
    List<String> reasons = new ArrayList<>();
    if (throughput() < target.minPerSecond()) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "%s/s %s < %s",
              target.counter(),
              number(throughput()),
              number(target.minPerSecond())));
    }
    if (stats.latency().count() == 0) {
      reasons.add("no successful requests");
    } else if (stats.latency().p99Ms() > target.maxP99Ms()) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "p99 %s ms > %s ms",
              number(stats.latency().p99Ms()),
              number(target.maxP99Ms())));
    }
    if (stats.failed() > 0) {
      reasons.add(String.format(Locale.ROOT, "%s failed requests", number(stats.failed())));
    }
    return reasons;
  }

  boolean targetMet() {
    return shortfalls().isEmpty();
  }

  String verdict() {
    List<String> reasons = shortfalls();
    return reasons.isEmpty() ? "target met" : "target not met (" + String.join("; ", reasons) + ")";
  }

  List<String> lines() {
    LatencyRecorder.Summary l = stats.latency();
    List<String> out = new ArrayList<>();
    out.add("== " + workload + " ==");
    out.add(
        "conditions:   "
            + conditions.entrySet().stream()
                .map(
                    e ->
                        e.getKey()
                            + "="
                            + (e.getValue() instanceof Number n ? number(n) : e.getValue()))
                .collect(Collectors.joining(" ")));
    out.add(
        String.format(
            Locale.ROOT,
            "requests:     %s/s (%s in %s s; %s ok, %s failed)",
            number(perSecond(stats.requests())),
            number(stats.requests()),
            number(stats.measuredSeconds()),
            number(stats.succeeded()),
            number(stats.failed())));
    counters.forEach(
        (name, count) ->
            out.add(
                String.format(
                    Locale.ROOT,
                    "%-13s %s/s (%s)",
                    name + ":",
                    number(perSecond(count)),
                    number(count))));
    out.add(
        String.format(
            Locale.ROOT,
            "latency (ms): p50 %s  p90 %s  p99 %s  max %s  (mean %s, ok requests)",
            number(l.p50Ms()),
            number(l.p90Ms()),
            number(l.p99Ms()),
            number(l.maxMs()),
            number(l.meanMs())));
    out.add(
        String.format(
            Locale.ROOT,
            "failures:     non-2xx %s, errors %s, invalid bodies %s",
            stats.badStatuses(),
            stats.errors(),
            number(stats.invalid())));
    notes.forEach(n -> out.add("note:         " + n));
    out.add("SPEC target:  " + target.describe() + ": " + verdict());
    return out;
  }

  ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode json = mapper.createObjectNode();
    json.set("conditions", mapper.valueToTree(conditions));
    json.put("measuredS", round(stats.measuredSeconds()));
    json.put("requests", stats.requests());
    json.put("requestsPerS", round(perSecond(stats.requests())));
    json.put("succeeded", stats.succeeded());
    json.put("failed", stats.failed());
    counters.forEach(
        (name, count) -> {
          json.put(name, count);
          json.put(name + "PerS", round(perSecond(count)));
        });
    LatencyRecorder.Summary l = stats.latency();
    ObjectNode latency = json.putObject("latencyMs");
    latency.put("p50", round(l.p50Ms()));
    latency.put("p90", round(l.p90Ms()));
    latency.put("p99", round(l.p99Ms()));
    latency.put("max", round(l.maxMs()));
    latency.put("mean", round(l.meanMs()));
    ObjectNode failures = json.putObject("failures");
    ObjectNode statuses = failures.putObject("non2xx");
    stats.badStatuses().forEach((status, count) -> statuses.put(String.valueOf(status), count));
    failures.set("errors", mapper.valueToTree(stats.errors()));
    failures.put("invalid", stats.invalid());
    ObjectNode t = json.putObject("target");
    t.put("metric", target.counter() + "/s");
    t.put("min", target.minPerSecond());
    t.put("p99MaxMs", target.maxP99Ms());
    t.put("met", targetMet());
    shortfalls().forEach(t.putArray("shortfalls")::add);
    notes.forEach(json.putArray("notes")::add);
    return json;
  }

  /** Integers with thousands separators, other values with up to 3 decimals. */
  static String number(Number value) {
    double d = value.doubleValue();
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) d);
    }
    if (Math.abs(d) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", d);
    }
    return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
