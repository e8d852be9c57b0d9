package dev.freshet.http.metrics;

import com.typesafe.config.Config;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's metrics over time, for the admin dashboard's plots of latency, read-model lag and
 * pool generation: every sample interval, the figures of the interval just ended (rates,
 * percentiles of the observations in it) and the gauges now, kept for {@code
 * freshet.dashboard.history}. A Prometheus server keeps these for as long as one likes; this keeps
 * a day in about a megabyte so that the dashboard has something to draw without one.
 */
public final class MetricHistory {

  private static final Logger log = LoggerFactory.getLogger(MetricHistory.class);

  /** The ranking route's label in the request metrics. */
  static final String RANKING_ROUTE = "/v1/users/{userId}/recommendations";

  /** {@code freshet.dashboard}. */
  public record Settings(Duration sampleInterval, Duration history) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.dashboard");
      Duration interval = c.getDuration("sample-interval");
      Duration history = c.getDuration("history");
      if (interval.isNegative() || interval.isZero())
        throw new IllegalArgumentException("freshet.dashboard.sample-interval must be positive");
      if (history.compareTo(interval) < 0)
        throw new IllegalArgumentException(
            "freshet.dashboard.history must be at least one sample-interval");
      return new Settings(interval, history);
    }
  }

  /** One series: its name in the answer and how it is read from an interval's window. */
  private record Series(String name, Reader reader) {}

  @FunctionalInterface
  private interface Reader {
    double read(Alerts.Window window, double seconds);
  }

  private static final Predicate<Labels> ALL = labels -> true;

  private static final Predicate<Labels> RANKING =
      labels -> RANKING_ROUTE.equals(labels.get("route"));

  private static final List<Series> SERIES =
      List.of(
          new Series(
              "ingestRate", (w, s) -> w.increase("freshet_ingest_impressions_recorded", ALL) / s),
          new Series("eventRate", (w, s) -> w.increase("freshet_ingest_events_accepted", ALL) / s),
          millis("ingestP50", "freshet_ingest_batch_seconds", ALL, 0.50),
          millis("ingestP95", "freshet_ingest_batch_seconds", ALL, 0.95),
          millis("ingestP99", "freshet_ingest_batch_seconds", ALL, 0.99),
          millis("rankingP50", "freshet_http_request_duration_seconds", RANKING, 0.50),
          millis("rankingP95", "freshet_http_request_duration_seconds", RANKING, 0.95),
          millis("rankingP99", "freshet_http_request_duration_seconds", RANKING, 0.99),
          new Series("readModelLag", (w, s) -> w.maxGauge("freshet_pipeline_lag_seconds")),
          new Series("poolRequests", (w, s) -> w.increase("freshet_pool_generation_requests", ALL)),
          new Series("poolFailures", (w, s) -> w.increase("freshet_pool_generation_failed", ALL)),
          new Series("usersAtRisk", (w, s) -> w.gauge("freshet_freshness_users_few_unseen", ALL)),
          new Series("freshnessKpi", (w, s) -> w.gauge("freshet_freshness_kpi", ALL)));

  private static Series millis(String name, String histogram, Predicate<Labels> of, double q) {
    return new Series(name, (w, s) -> w.histogramIncrease(histogram, of).quantile(q) * 1000);
  }

  /** One sample: when, and each series' value (NaN: nothing to show). */
  private record Point(long atMillis, float[] values) {}

  /** The samples in a range: times in epoch seconds, and per series name its values. */
  public record Range(long sampleSeconds, long[] times, Map<String, List<Double>> series) {}

  private final PrometheusRegistry registry;
  private final Settings settings;
  private final Deque<Point> points = new ArrayDeque<>();
  private MetricSnapshots previous;
  private long previousAt;

  MetricHistory(PrometheusRegistry registry, Settings settings) {
    this.registry = registry;
    this.settings = settings;
  }

  Cancellable start(ActorSystem<?> system) {
    return system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ZERO, settings.sampleInterval(), this::sample, system.executionContext());
  }

  public Settings settings() {
    return settings;
  }

  /** The samples taken in the last {@code range}, oldest first. */
  public synchronized Range last(Duration range) {
    long since = System.currentTimeMillis() - range.toMillis();
    List<Point> kept = points.stream().filter(p -> p.atMillis() > since).toList();
    long[] times = new long[kept.size()];
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (Series s : SERIES) series.put(s.name(), new ArrayList<>(kept.size()));
    for (int i = 0; i < kept.size(); i++) {
      Point p = kept.get(i);
      times[i] = p.atMillis() / 1000;
      for (int j = 0; j < SERIES.size(); j++) {
        float v = p.values()[j];
        // JSON has no NaN or infinity: nothing to show is null
        series.get(SERIES.get(j).name()).add(Float.isFinite(v) ? (double) v : null);
      }
    }
    return new Range(settings.sampleInterval().toSeconds(), times, series);
  }

  synchronized void sample() {
    try {
      long now = System.currentTimeMillis();
      MetricSnapshots current = registry.scrape(name -> name.startsWith("freshet_"));
      // the first sample has no interval behind it: it only sets the baseline
      if (previous != null) {
        Alerts.Window window = new Alerts.Window(current, previous);
        double seconds = Math.max(0.001, (now - previousAt) / 1000.0);
        float[] values = new float[SERIES.size()];
        for (int j = 0; j < SERIES.size(); j++) {
          values[j] = (float) SERIES.get(j).reader().read(window, seconds);
        }
        points.addLast(new Point(now, values));
        long oldest = now - settings.history().toMillis();
        while (!points.isEmpty() && points.peekFirst().atMillis() < oldest) points.removeFirst();
      }
      previous = current;
      previousAt = now;
    } catch (RuntimeException e) {
      // the scheduler would stop running a task that throws; one bad sample must not end the plots
      log.warn("Dashboard metric sampling failed", e);
    }
  }
}
