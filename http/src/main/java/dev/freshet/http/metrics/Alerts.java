package dev.freshet.http.metrics;

import com.typesafe.config.Config;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPEC C9's alerts evaluated live on this node, from this node's own metrics: the same conditions
 * as {@code k8s/prometheus/freshet-alerts.yml}, whose thresholds {@code freshet.alerts} holds.
 * Rates and percentiles "over the window" need history, which a scrape does not have, so the node
 * keeps a snapshot of its {@code freshet_} metrics every sample interval for one window and
 * compares the oldest kept with now. An alert fires once its condition has held for its {@code
 * for}, as in Prometheus; before that it is pending. Conditions on a share (failures, duplicates,
 * freshness) also need a minimum volume, so that one failed batch out of two pages nobody.
 *
 * <p>Evaluated at every sample (which also logs each alert that starts or stops firing) and on
 * request.
 */
public final class Alerts {

  private static final Logger log = LoggerFactory.getLogger(Alerts.class);

  /** {@code freshet.alerts}. */
  public record Settings(Duration sampleInterval, Duration window, Map<String, Limit> limits) {

    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.alerts");
      Map<String, Limit> limits = new LinkedHashMap<>();
      for (Rule rule : RULES) {
        Config r = c.getConfig(rule.key());
        limits.put(
            rule.key(),
            new Limit(
                r.getDouble("threshold"),
                rule.volumeKey() == null ? 0 : r.getDouble(rule.volumeKey()),
                r.getDuration("for")));
      }
      return new Settings(
          c.getDuration("sample-interval"), c.getDuration("window"), Map.copyOf(limits));
    }
  }

  /**
   * One alert's configuration: the line, the least volume it is judged on, and how long it must
   * hold.
   */
  public record Limit(double threshold, double minVolume, Duration holdFor) {}

  /**
   * An alert's state now (ok, pending: holding for less than {@code for}, firing) and where its
   * settings are; {@code value} is null when there is nothing to judge (no users, no batches).
   */
  public record Status(
      String name,
      String config,
      State state,
      Double value,
      double threshold,
      String comparison,
      long forSeconds,
      Instant activeSince,
      String severity,
      String summary,
      String description,
      String note) {}

  /** Where an alert stands, most urgent first. */
  public enum State {
    /** The condition has held for at least the alert's {@code for}. */
    FIRING,
    /** The condition holds, for less than the alert's {@code for} so far. */
    PENDING,
    /** The condition does not hold, or there is nothing to judge. */
    OK;

    /** The name in the API and the logs. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private enum Comparison {
    ABOVE(">"),
    AT_LEAST(">="),
    BELOW("<");

    final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(double value, double threshold) {
      return switch (this) {
        case ABOVE -> value > threshold;
        case AT_LEAST -> value >= threshold;
        case BELOW -> value < threshold;
      };
    }
  }

  /** A value, and the volume it stands on (NaN where no minimum applies). */
  private record Reading(double value, double volume) {
    static Reading of(double value) {
      return new Reading(value, Double.NaN);
    }

    /**
     * {@code part} as a share of {@code whole}, judged on {@code whole}'s volume; none when whole
     * is 0.
     */
    static Reading share(double part, double whole) {
      return new Reading(whole == 0 ? Double.NaN : part / whole, whole);
    }
  }

  @FunctionalInterface
  private interface Reader {
    Reading read(Window w);
  }

  /**
   * One alert: the name it has in the rule file, its key under {@code freshet.alerts}, the key of
   * its minimum volume (null: none), and how this node reads its value.
   */
  private record Rule(
      String name,
      String key,
      String volumeKey,
      String volumeUnit,
      String severity,
      Comparison comparison,
      String summary,
      String description,
      Reader reader) {}

  private static final Predicate<Labels> ALL = labels -> true;

  private static Predicate<Labels> label(String name, String value) {
    return labels -> value.equals(labels.get(name));
  }

  private static final List<Rule> RULES =
      List.of(
          new Rule(
              "FreshetFreshnessDrop",
              "freshness-drop",
              "min-users",
              "active users",
              "warning",
              Comparison.BELOW,
              "Many active users have less than half of the pool unseen",
              "Share of active (resident) users with at least 50 % of the active pool unseen (the freshness KPI)",
              w -> {
                double fresh =
                    w.gauge("freshet_freshness_users", label("band", "half_or_more_unseen"));
                double stale =
                    w.gauge("freshet_freshness_users", label("band", "under_half_unseen"));
                double users = zeroIfNaN(fresh) + zeroIfNaN(stale);
                return Reading.share(zeroIfNaN(fresh), users);
              }),
          new Rule(
              "FreshetIngestBatchFailures",
              "ingest-batch-failures",
              "min-batches",
              "ingest batches",
              "critical",
              Comparison.ABOVE,
              "Ingest batches are failing",
              "Share of ingest batches (impressions, events, stream) that failed on our side (5xx) in the window",
              w -> {
                double all = w.increase("freshet_ingest_batches", ALL);
                double failed = w.increase("freshet_ingest_batches", label("outcome", "failed"));
                return Reading.share(failed, all);
              }),
          new Rule(
              "FreshetPoolExhaustion",
              "pool-exhaustion",
              null,
              null,
              "warning",
              Comparison.AT_LEAST,
              "Active users are running out of unseen items",
              "Active (resident) users with fewer unseen active items than freshet.pool.at-risk-unseen (5);"
                  + " the cluster's coordinator lists users at risk at /v1/admin/pool",
              w -> Reading.of(w.gauge("freshet_freshness_users_few_unseen", ALL))),
          new Rule(
              "FreshetReadModelBacklog",
              "read-model-backlog",
              null,
              null,
              "warning",
              Comparison.ABOVE,
              "Read models are falling behind the journal",
              "Seconds between the oldest journal event a read-model projection has not committed and now"
                  + " (worst projection and tag)",
              w -> Reading.of(w.maxGauge("freshet_pipeline_lag_seconds"))),
          new Rule(
              "FreshetReadModelDeadLetters",
              "read-model-dead-letters",
              null,
              null,
              "warning",
              Comparison.ABOVE,
              "Read models set events aside as dead letters",
              "Journal events the read-model projections could not write and set aside in"
                  + " read_model_dead_letters in the window (their time has no partition, or the database"
                  + " refused their rows)",
              w -> Reading.of(w.increase("freshet_pipeline_dead_letters", ALL))),
          new Rule(
              "FreshetWriteBehindDrops",
              "write-behind-drops",
              null,
              null,
              "warning",
              Comparison.ABOVE,
              "Write-behind queues are dropping data",
              "Ranking events and popularity signals dropped by full write-behind buffers in the window",
              w ->
                  Reading.of(
                      w.increase("freshet_ranking_events_dropped", ALL)
                          + w.increase("freshet_popularity_signals_dropped", ALL))),
          new Rule(
              "FreshetDuplicateImpressions",
              "duplicate-impressions",
              "min-impressions",
              "impressions",
              "warning",
              Comparison.ABOVE,
              "Many impressions are duplicate attempts",
              "Share of impressions in the window that the user had already been shown (retries, double-fired"
                  + " events, many tabs)",
              w -> {
                double duplicates = w.increase("freshet_ingest_impressions_duplicates", ALL);
                double all = duplicates + w.increase("freshet_ingest_impressions_recorded", ALL);
                return Reading.share(duplicates, all);
              }),
          new Rule(
              "FreshetSlowBatchWrites",
              "slow-batch-writes",
              "min-writes",
              "journal writes",
              "warning",
              Comparison.ABOVE,
              "Journal writes of user entities are slow",
              "95th percentile in seconds of user-entity journal writes (a batch's write per user) in the window",
              w -> {
                Histogram h = w.histogramIncrease("freshet_journal_write_seconds");
                return new Reading(h.quantile(0.95), h.count());
              }),
          new Rule(
              "FreshetHttpServerErrors",
              "http-server-errors",
              "min-requests",
              "requests",
              "critical",
              Comparison.ABOVE,
              "The edge answers with server errors",
              "Share of HTTP requests answered with a 5xx in the window",
              w -> {
                double all = w.increase("freshet_http_requests", ALL);
                double errors = w.increase("freshet_http_request_errors", label("kind", "server"));
                return Reading.share(errors, all);
              }));

  private record Sample(long atMillis, MetricSnapshots snapshots) {}

  private final PrometheusRegistry registry;
  private final Settings settings;
  private final Deque<Sample> history = new ArrayDeque<>();
  private final Map<String, Long> activeSince = new HashMap<>();
  private final Map<String, Boolean> firing = new HashMap<>();

  Alerts(PrometheusRegistry registry, Settings settings) {
    this.registry = registry;
    this.settings = settings;
  }

  /** Samples now and every sample interval until the node stops. */
  Cancellable start(ActorSystem<?> system) {
    return system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ZERO, settings.sampleInterval(), this::sample, system.executionContext());
  }

  /** Every alert's state now. */
  public synchronized List<Status> evaluate() {
    return evaluate(System.currentTimeMillis(), scrape(), false);
  }

  public Settings settings() {
    return settings;
  }

  private synchronized void sample() {
    try {
      long now = System.currentTimeMillis();
      MetricSnapshots snapshots = scrape();
      evaluate(now, snapshots, true);
      history.addLast(new Sample(now, snapshots));
      while (history.size() > 1
          && history.peekFirst().atMillis() < now - settings.window().toMillis()) {
        history.removeFirst();
      }
    } catch (RuntimeException e) {
      // the scheduler would stop running a task that throws; a bad sample must not end the history
      log.warn("Alert sampling failed", e);
    }
  }

  private MetricSnapshots scrape() {
    return registry.scrape(name -> name.startsWith("freshet_"));
  }

  private List<Status> evaluate(long now, MetricSnapshots current, boolean logChanges) {
    long windowStart = now - settings.window().toMillis();
    MetricSnapshots baseline =
        history.stream()
            .filter(s -> s.atMillis() >= windowStart)
            .findFirst()
            .map(Sample::snapshots)
            .orElse(null);
    Window window = new Window(current, baseline);
    List<Status> out = new ArrayList<>(RULES.size());
    for (Rule rule : RULES) {
      Limit limit = settings.limits().get(rule.key());
      Reading reading = rule.reader().read(window);
      String note = null;
      boolean holds = false;
      if (Double.isNaN(reading.value())) {
        note = "no data";
      } else if (!Double.isNaN(reading.volume()) && reading.volume() < limit.minVolume()) {
        note =
            "judged from "
                + fmt(limit.minVolume())
                + " "
                + rule.volumeUnit()
                + " on; there were "
                + fmt(reading.volume());
      } else {
        holds = rule.comparison().holds(reading.value(), limit.threshold());
      }
      Long since = holds ? activeSince.computeIfAbsent(rule.name(), n -> now) : null;
      if (!holds) activeSince.remove(rule.name());
      State state =
          !holds
              ? State.OK
              : now - since >= limit.holdFor().toMillis() ? State.FIRING : State.PENDING;
      boolean isFiring = state == State.FIRING;
      // only the periodic evaluation logs, so that each change is logged once whoever looked first
      if (logChanges && isFiring != firing.getOrDefault(rule.name(), false)) {
        if (isFiring) {
          log.warn(
              "Alert {} firing: {}: {} {} {}",
              rule.name(),
              rule.summary(),
              fmt(reading.value()),
              rule.comparison().symbol,
              fmt(limit.threshold()));
        } else {
          log.info("Alert {} resolved", rule.name());
        }
        firing.put(rule.name(), isFiring);
      }
      out.add(
          new Status(
              rule.name(),
              "freshet.alerts." + rule.key(),
              state,
              Double.isNaN(reading.value()) ? null : reading.value(),
              limit.threshold(),
              rule.comparison().symbol,
              limit.holdFor().toSeconds(),
              since == null ? null : Instant.ofEpochMilli(since),
              rule.severity(),
              rule.summary(),
              rule.description(),
              note));
    }
    return out;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.4g", v);
  }

  private static double zeroIfNaN(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /**
   * A classic histogram's observations in the window: per-bucket counts under ascending upper
   * bounds.
   */
  record Histogram(double[] upperBounds, long[] counts) {

    long count() {
      long n = 0;
      for (long c : counts) n += c;
      return n;
    }

    /**
     * The {@code q}-quantile as Prometheus' {@code histogram_quantile} estimates it: linear within
     * the bucket the rank falls into, the last finite bound if it falls into +Inf; NaN without
     * observations.
     */
    double quantile(double q) {
      long total = count();
      if (total == 0) return Double.NaN;
      double rank = q * total;
      long cumulative = 0;
      for (int i = 0; i < counts.length; i++) {
        long before = cumulative;
        cumulative += counts[i];
        if (cumulative >= rank && counts[i] > 0) {
          double upper = upperBounds[i];
          if (Double.isInfinite(upper)) return i == 0 ? Double.NaN : upperBounds[i - 1];
          double lower = i == 0 ? Math.min(0, upper) : upperBounds[i - 1];
          return lower + (upper - lower) * (rank - before) / counts[i];
        }
      }
      return upperBounds[upperBounds.length - 1];
    }
  }

  /**
   * Reads values now, and increases since the oldest sample still in the window (or since none: all
   * of it).
   */
  static final class Window {
    private final MetricSnapshots now;
    private final MetricSnapshots then;

    Window(MetricSnapshots now, MetricSnapshots then) {
      this.now = now;
      this.then = then;
    }

    /** The sum of a gauge's matching series; NaN when it has none. */
    double gauge(String name, Predicate<Labels> filter) {
      double sum = Double.NaN;
      if (find(now, name) instanceof GaugeSnapshot g) {
        for (var p : g.getDataPoints()) {
          if (filter.test(p.getLabels())) sum = (Double.isNaN(sum) ? 0 : sum) + p.getValue();
        }
      }
      return sum;
    }

    /** The largest value of a gauge's series; NaN when it has none. */
    double maxGauge(String name) {
      double max = Double.NaN;
      if (find(now, name) instanceof GaugeSnapshot g) {
        for (var p : g.getDataPoints())
          max = Double.isNaN(max) ? p.getValue() : Math.max(max, p.getValue());
      }
      return max;
    }

    /**
     * How much a counter's matching series went up in the window, series by series; a series that
     * went down was reset (its source restarted), so all of its value is new.
     */
    double increase(String name, Predicate<Labels> filter) {
      Map<Labels, Double> before = new HashMap<>();
      if (then != null && find(then, name) instanceof CounterSnapshot c) {
        for (var p : c.getDataPoints()) before.put(p.getLabels(), p.getValue());
      }
      double sum = 0;
      if (find(now, name) instanceof CounterSnapshot c) {
        for (var p : c.getDataPoints()) {
          if (!filter.test(p.getLabels())) continue;
          double delta = p.getValue() - before.getOrDefault(p.getLabels(), 0.0);
          sum += delta >= 0 ? delta : p.getValue();
        }
      }
      return sum;
    }

    /** A histogram's observations in the window, all series added up bucket by bucket. */
    Histogram histogramIncrease(String name) {
      return histogramIncrease(name, ALL);
    }

    /** The observations in the window of a histogram's series that {@code filter} accepts. */
    Histogram histogramIncrease(String name, Predicate<Labels> filter) {
      TreeMap<Double, Long> buckets = new TreeMap<>();
      Map<Labels, ClassicHistogramBuckets> before = new HashMap<>();
      if (then != null && find(then, name) instanceof HistogramSnapshot h) {
        for (var p : h.getDataPoints()) before.put(p.getLabels(), p.getClassicBuckets());
      }
      if (find(now, name) instanceof HistogramSnapshot h) {
        for (var p : h.getDataPoints()) {
          if (!filter.test(p.getLabels())) continue;
          ClassicHistogramBuckets current = p.getClassicBuckets();
          ClassicHistogramBuckets old = before.get(p.getLabels());
          boolean reset = old != null && total(old) > total(current);
          for (int i = 0; i < current.size(); i++) {
            long count = current.getCount(i);
            if (old != null && !reset) count -= countAt(old, current.getUpperBound(i));
            buckets.merge(current.getUpperBound(i), Math.max(0, count), Long::sum);
          }
        }
      }
      double[] bounds = new double[buckets.size()];
      long[] counts = new long[buckets.size()];
      int i = 0;
      for (var e : buckets.entrySet()) {
        bounds[i] = e.getKey();
        counts[i++] = e.getValue();
      }
      return new Histogram(bounds, counts);
    }

    private static long total(ClassicHistogramBuckets b) {
      long n = 0;
      for (int i = 0; i < b.size(); i++) n += b.getCount(i);
      return n;
    }

    private static long countAt(ClassicHistogramBuckets b, double upperBound) {
      for (int i = 0; i < b.size(); i++) if (b.getUpperBound(i) == upperBound) return b.getCount(i);
      return 0;
    }

    private static MetricSnapshot find(MetricSnapshots snapshots, String name) {
      for (MetricSnapshot s : snapshots) {
        if (s.getMetadata().getName().equals(name)) return s;
      }
      return null;
    }
  }
}
