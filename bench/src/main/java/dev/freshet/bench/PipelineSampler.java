package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code ingest-lag}: polls {@code GET /v1/admin/pipelines} on its own connection while the ingest
 * load runs and afterwards until every {@code user-*} projection has caught up (or the drain
 * timeout passes), then summarises each projection over its tags: lag (the age of its oldest
 * uncommitted journal event), events pending, rows written per second, and how long after the load
 * it caught up.
 */
final class PipelineSampler {

  /**
   * The projections reported, in this order; rows of other projections (user_features/all) are
   * ignored.
   */
  static final List<String> PROJECTIONS = List.of("user_impressions", "events");

  static final String TAG_PREFIX = "user-";

  /** SPEC: read-model lag at most 2 s at the sustained ingest rate. */
  static final double TARGET_MAX_LAG_SECONDS = 2.0;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One projection in one poll, over its user-* tags: lag is the largest, pending and totals are
   * sums.
   */
  record Standing(
      int tags,
      double lagSeconds,
      long pending,
      long rowsTotal,
      long skippedTotal,
      boolean healthy) {
    boolean caughtUp() {
      return pending == 0 && lagSeconds == 0;
    }
  }

  /** One poll, at System.nanoTime() {@code atNanos}. */
  record Sample(long atNanos, Map<String, Standing> projections) {
    /** Every reported projection listed, with 0 pending and 0 lag on each of its tags. */
    boolean caughtUp() {
      return PROJECTIONS.stream()
          .allMatch(p -> projections.containsKey(p) && projections.get(p).caughtUp());
    }
  }

  /** The body of /v1/admin/pipelines, reduced to the reported projections' user-* tags. */
  static Map<String, Standing> parse(byte[] body) throws IOException {
    Map<String, Standing> out = new LinkedHashMap<>();
    for (JsonNode row : JSON.readTree(body).path("pipelines")) {
      String projection = row.path("projection").asText();
      if (!PROJECTIONS.contains(projection) || !row.path("tag").asText().startsWith(TAG_PREFIX)) {
        continue;
      }
      Standing s = out.getOrDefault(projection, new Standing(0, 0, 0, 0, 0, true));
      out.put(
          projection,
          new Standing(
              s.tags() + 1,
              Math.max(s.lagSeconds(), row.path("lagSeconds").asDouble()),
              s.pending() + row.path("pendingEvents").asLong(),
              s.rowsTotal() + row.path("rowsTotal").asLong(),
              s.skippedTotal() + row.path("skippedTotal").asLong(),
              s.healthy() && row.path("healthy").asBoolean(true)));
    }
    return out;
  }

  private final Supplier<HttpConnection> connections;
  private final Duration interval;
  private final PrintStream progress;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> pollErrors = new TreeMap<>();
  private volatile boolean stopped;
  private Thread thread;
  private Summary summary;

  PipelineSampler(Supplier<HttpConnection> connections, Duration interval, PrintStream progress) {
    this.connections = connections;
    this.interval = interval;
    this.progress = progress;
  }

  /** Starts polling on a daemon thread: one poll now, then one every interval. */
  void start() {
    thread = new Thread(this::loop, "bench-pipelines");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    long periodNanos = interval.toNanos();
    long next = System.nanoTime();
    try (HttpConnection connection = connections.get()) {
      while (!stopped) {
        poll(connection);
        next += periodNanos;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        } else {
          next = System.nanoTime(); // a slow poll: do not burst to catch up
        }
      }
    } catch (InterruptedException e) {
      // stopped
    }
  }

  private void poll(HttpConnection connection) {
    String error;
    try {
      HttpConnection.Response response =
          connection.send(HttpConnection.Request.get("/v1/admin/pipelines"));
      long at = System.nanoTime();
      if (response.status() == 200) {
        samples.add(new Sample(at, parse(response.body())));
        return;
      }
      error = "HTTP " + response.status();
    } catch (IOException | RuntimeException e) {
      error = e.getClass().getSimpleName();
    }
    synchronized (pollErrors) {
      if (pollErrors.merge(error, 1, Integer::sum) == 1) {
        progress.println("[pipelines] GET /v1/admin/pipelines failed: " + error);
      }
    }
  }

  /**
   * After the load: waits until a poll after {@code loadEndNanos} shows every projection caught up,
   * or the timeout passes; stops polling and summarises the run.
   */
  Summary finish(long windowStart, long windowEnd, long loadEndNanos, Duration drainTimeout)
      throws InterruptedException {
    long deadline = loadEndNanos + drainTimeout.toNanos();
    long lastReport = System.nanoTime();
    while (System.nanoTime() < deadline
        && samples.stream().noneMatch(s -> s.atNanos() >= loadEndNanos && s.caughtUp())) {
      TimeUnit.MILLISECONDS.sleep(100);
      if (System.nanoTime() - lastReport >= TimeUnit.SECONDS.toNanos(5) && !samples.isEmpty()) {
        lastReport = System.nanoTime();
        Sample last = samples.get(samples.size() - 1);
        progress.printf(
            "[pipelines] draining %3ds: %s%n",
            TimeUnit.NANOSECONDS.toSeconds(lastReport - loadEndNanos),
            last.projections().entrySet().stream()
                .map(
                    e ->
                        String.format(
                            Locale.ROOT,
                            "%s lag %s s, %s pending",
                            e.getKey(),
                            BenchReport.number(e.getValue().lagSeconds()),
                            BenchReport.number(e.getValue().pending())))
                .collect(Collectors.joining("; ")));
      }
    }
    stopped = true;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(15));
    Map<String, Integer> errors;
    synchronized (pollErrors) {
      errors = new TreeMap<>(pollErrors);
    }
    summary =
        summarize(
            List.copyOf(samples),
            windowStart,
            windowEnd,
            loadEndNanos,
            drainTimeout,
            interval,
            errors);
    return summary;
  }

  /** What {@link #finish} returned. */
  Summary summary() {
    return summary;
  }

  /**
   * The figures of one projection. Lag and pending are over the polls inside the measured window.
   */
  record Figures(
      String projection,
      int tags,
      int windowPolls,
      double lagP50,
      double lagP95,
      double lagMax,
      long pendingMax,
      double rowsPerSecond,
      long rowsInWindow,
      double windowPollSeconds,
      Double catchUpSeconds,
      Double rowsPerSecondUntilCaughtUp,
      double lagMaxOverall,
      long skipped,
      int unhealthyPolls) {}

  /** What the sampler saw over the whole run. */
  record Summary(
      List<Figures> projections,
      int polls,
      Map<String, Integer> pollErrors,
      Duration interval,
      Duration drainTimeout) {

    /**
     * Why the SPEC's lag target is not met (max lag during the load above 2 s); empty when it is.
     */
    List<String> shortfalls() {
      List<String> reasons = new ArrayList<>();
      if (projections.isEmpty()) {
        reasons.add("no pipeline figures (GET /v1/admin/pipelines listed no user-* projections)");
      }
      for (Figures f : projections) {
        if (f.windowPolls() == 0) {
          reasons.add(f.projection() + ": no polls in the measured window");
        } else if (f.lagMax() > TARGET_MAX_LAG_SECONDS) {
          reasons.add(
              String.format(
                  Locale.ROOT,
                  "%s max lag %s s > %s s",
                  f.projection(),
                  BenchReport.number(f.lagMax()),
                  BenchReport.number(TARGET_MAX_LAG_SECONDS)));
        }
        if (f.catchUpSeconds() == null) {
          reasons.add(
              f.projection()
                  + " not caught up within "
                  + BenchReport.number(drainTimeout.toSeconds())
                  + " s after the load");
        }
      }
      return reasons;
    }

    List<String> lines(Map<String, Object> conditions) {
      List<String> out = new ArrayList<>();
      out.add("== read models ==");
      out.add(
          "conditions:   "
              + conditions.entrySet().stream()
                  .map(
                      e ->
                          e.getKey()
                              + "="
                              + (e.getValue() instanceof Number n
                                  ? BenchReport.number(n)
                                  : e.getValue()))
                  .collect(Collectors.joining(" ")));
      out.add(
          String.format(
              Locale.ROOT,
              "sampling:     GET /v1/admin/pipelines every %s s, %s polls (%s failed), "
                  + "drain timeout %s s; the node refreshes that view every 2 s",
              seconds(interval),
              BenchReport.number(polls),
              BenchReport.number(pollErrors.values().stream().mapToInt(Integer::intValue).sum()),
              seconds(drainTimeout)));
      for (Figures f : projections) {
        String p = f.projection();
        out.add(
            String.format(
                Locale.ROOT,
                "%s lag (s): p50 %s  p95 %s  max %s  (%s polls in the measured window, "
                    + "largest of %d tags each; max over the whole run %s)",
                p,
                BenchReport.number(f.lagP50()),
                BenchReport.number(f.lagP95()),
                BenchReport.number(f.lagMax()),
                BenchReport.number(f.windowPolls()),
                f.tags(),
                BenchReport.number(f.lagMaxOverall())));
        out.add(
            String.format(
                Locale.ROOT,
                "%s pending: max %s events in the measured window",
                p,
                BenchReport.number(f.pendingMax())));
        out.add(
            String.format(
                Locale.ROOT,
                "%s rows: %s/s in the measured window (%s rows over %s s between polls)%s",
                p,
                BenchReport.number(f.rowsPerSecond()),
                BenchReport.number(f.rowsInWindow()),
                BenchReport.number(f.windowPollSeconds()),
                f.rowsPerSecondUntilCaughtUp() == null
                    ? ""
                    : "; "
                        + BenchReport.number(f.rowsPerSecondUntilCaughtUp())
                        + "/s from the window's start until caught up"));
        out.add(
            p
                + " caught up: "
                + (f.catchUpSeconds() == null
                    ? "NOT within " + seconds(drainTimeout) + " s after the load stopped"
                    : BenchReport.number(f.catchUpSeconds())
                        + " s after the load stopped (first poll with 0 pending and 0 lag"
                        + " on every tag)")
                + (f.skipped() > 0 ? "; " + BenchReport.number(f.skipped()) + " rows skipped" : "")
                + (f.unhealthyPolls() > 0
                    ? "; unhealthy in " + f.unhealthyPolls() + " polls"
                    : ""));
      }
      List<String> reasons = shortfalls();
      out.add(
          String.format(
              Locale.ROOT,
              "SPEC target:  read-model lag <= %s s: %s",
              BenchReport.number(TARGET_MAX_LAG_SECONDS),
              reasons.isEmpty()
                  ? "target met"
                  : "target not met (" + String.join("; ", reasons) + ")"));
      return out;
    }

    ObjectNode toJson(ObjectMapper mapper, Map<String, Object> conditions) {
      ObjectNode json = mapper.createObjectNode();
      json.set("conditions", mapper.valueToTree(conditions));
      json.put("pollS", interval.toMillis() / 1000.0);
      json.put("polls", polls);
      json.set("pollErrors", mapper.valueToTree(pollErrors));
      json.put("drainTimeoutS", drainTimeout.toMillis() / 1000.0);
      for (Figures f : projections) {
        ObjectNode p = json.putObject(f.projection());
        p.put("tags", f.tags());
        p.put("windowPolls", f.windowPolls());
        ObjectNode lag = p.putObject("lagSeconds");
        lag.put("p50", round(f.lagP50()));
        lag.put("p95", round(f.lagP95()));
        lag.put("max", round(f.lagMax()));
        lag.put("maxOverall", round(f.lagMaxOverall()));
        p.put("pendingMax", f.pendingMax());
        p.put("rowsPerS", round(f.rowsPerSecond()));
        p.put("rowsInWindow", f.rowsInWindow());
        if (f.catchUpSeconds() == null) {
          p.putNull("catchUpS");
          p.putNull("rowsPerSUntilCaughtUp");
        } else {
          p.put("catchUpS", round(f.catchUpSeconds()));
          p.put("rowsPerSUntilCaughtUp", round(f.rowsPerSecondUntilCaughtUp()));
        }
        p.put("skipped", f.skipped());
        p.put("unhealthyPolls", f.unhealthyPolls());
      }
      ObjectNode t = json.putObject("target");
      t.put("metric", "lagSeconds max");
      t.put("max", TARGET_MAX_LAG_SECONDS);
      List<String> reasons = shortfalls();
      t.put("met", reasons.isEmpty());
      reasons.forEach(t.putArray("shortfalls")::add);
      return json;
    }
  }

  /**
   * Pure arithmetic over the polls: lag and pending over those inside [windowStart, windowEnd],
   * rows/s from the first to the last of them, catch-up at the first poll from {@code loadEnd} on
   * with 0 pending and 0 lag.
   */
  static Summary summarize(
      List<Sample> samples,
      long windowStart,
      long windowEnd,
      long loadEnd,
      Duration drainTimeout,
      Duration interval,
      Map<String, Integer> pollErrors) {
    List<Figures> figures = new ArrayList<>();
    for (String p : PROJECTIONS) {
      List<Sample> with = samples.stream().filter(s -> s.projections().containsKey(p)).toList();
      if (with.isEmpty()) {
        continue;
      }
      List<Sample> window =
          with.stream()
              .filter(s -> s.atNanos() >= windowStart && s.atNanos() <= windowEnd)
              .toList();
      double[] lags =
          window.stream().mapToDouble(s -> s.projections().get(p).lagSeconds()).sorted().toArray();
      long pendingMax =
          window.stream().mapToLong(s -> s.projections().get(p).pending()).max().orElse(0);
      double rate = 0;
      long rows = 0;
      double span = 0;
      if (window.size() >= 2) {
        Sample first = window.get(0);
        Sample last = window.get(window.size() - 1);
        rows = last.projections().get(p).rowsTotal() - first.projections().get(p).rowsTotal();
        span = (last.atNanos() - first.atNanos()) / 1e9;
        rate = span > 0 ? rows / span : 0;
      }
      Double catchUp = null;
      Double rateUntilCaughtUp = null;
      for (Sample s : with) {
        if (s.atNanos() >= loadEnd && s.projections().get(p).caughtUp()) {
          catchUp = (s.atNanos() - loadEnd) / 1e9;
          if (!window.isEmpty() && s.atNanos() > window.get(0).atNanos()) {
            rateUntilCaughtUp =
                (s.projections().get(p).rowsTotal()
                        - window.get(0).projections().get(p).rowsTotal())
                    * 1e9
                    / (s.atNanos() - window.get(0).atNanos());
          }
          break;
        }
      }
      Standing firstSeen = with.get(0).projections().get(p);
      Standing lastSeen = with.get(with.size() - 1).projections().get(p);
      figures.add(
          new Figures(
              p,
              lastSeen.tags(),
              window.size(),
              percentile(lags, 50),
              percentile(lags, 95),
              lags.length == 0 ? 0 : lags[lags.length - 1],
              pendingMax,
              rate,
              rows,
              span,
              catchUp,
              rateUntilCaughtUp,
              with.stream().mapToDouble(s -> s.projections().get(p).lagSeconds()).max().orElse(0),
              lastSeen.skippedTotal() - firstSeen.skippedTotal(),
              (int) with.stream().filter(s -> !s.projections().get(p).healthy()).count()));
    }
    return new Summary(figures, samples.size(), pollErrors, interval, drainTimeout);
  }

  /** Nearest-rank percentile of sorted values; 0 when there are none. */
  static double percentile(double[] sorted, double percent) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static String seconds(Duration d) {
    return BenchReport.number(d.toMillis() / 1000.0);
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
