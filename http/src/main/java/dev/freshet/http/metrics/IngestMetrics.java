package dev.freshet.http.metrics;

import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * What the ingest batches did (SPEC C9): batches by source and outcome, their sizes and durations,
 * impressions recorded for the first time and duplicates, events accepted. The counters make {@code
 * rate()} give impressions/s; the per-source split tells HTTP batches from the WebSocket stream.
 */
public final class IngestMetrics {

  /** Where a batch came from. */
  public enum Source {
    IMPRESSIONS,
    EVENTS,
    STREAM;

    final String label = name().toLowerCase(Locale.ROOT);
  }

  /**
   * How a batch ended: stored, refused as the client's mistake (4xx), or failed on our side (5xx).
   */
  enum Outcome {
    OK,
    REJECTED,
    FAILED;

    final String label = name().toLowerCase(Locale.ROOT);

    static Outcome of(Throwable failure) {
      if (failure == null) return OK;
      return ApiErrors.unwrap(failure) instanceof ApiException api && api.status() < 500
          ? REJECTED
          : FAILED;
    }
  }

  /**
   * Upper bounds of batch durations and journal writes: 200 ms is SPEC C9's slow-write line, so it
   * is one.
   */
  static final double[] SECONDS_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10
  };

  /** A batch holds at most 1,000 ids or events (SPEC C1). */
  private static final double[] SIZE_BUCKETS = {1, 5, 10, 25, 50, 100, 250, 500, 1000};

  // label lookups cost a hash per call; ingest is the hottest path, so every data point is resolved
  // once
  private final Map<Source, Map<Outcome, CounterDataPoint>> batches = new EnumMap<>(Source.class);
  private final Map<Source, DistributionDataPoint> sizes = new EnumMap<>(Source.class);
  private final Map<Source, DistributionDataPoint> seconds = new EnumMap<>(Source.class);
  private final Map<Source, CounterDataPoint> recorded = new EnumMap<>(Source.class);
  private final Map<Source, CounterDataPoint> duplicates = new EnumMap<>(Source.class);
  private final Map<Source, CounterDataPoint> accepted = new EnumMap<>(Source.class);
  private final Map<Source, CounterDataPoint> resent = new EnumMap<>(Source.class);

  IngestMetrics(PrometheusRegistry registry) {
    Counter batchCounter =
        Counter.builder()
            .name("freshet_ingest_batches")
            .help(
                "Ingest batches by source (impressions, events, stream) and outcome (ok, rejected: 4xx, failed: 5xx)")
            .labelNames("source", "outcome")
            .withoutExemplars()
            .register(registry);
    Histogram sizeHistogram =
        Histogram.builder()
            .name("freshet_ingest_batch_size")
            .help("Items (impressions) or events per parsed ingest batch")
            .labelNames("source")
            .classicOnly()
            .classicUpperBounds(SIZE_BUCKETS)
            .withoutExemplars()
            .register(registry);
    Histogram secondsHistogram =
        Histogram.builder()
            .name("freshet_ingest_batch_seconds")
            .help("Time from a parsed ingest batch to its answer (durable, refused or failed)")
            .labelNames("source")
            .classicOnly()
            .classicUpperBounds(SECONDS_BUCKETS)
            .withoutExemplars()
            .register(registry);
    Counter recordedCounter =
        Counter.builder()
            .name("freshet_ingest_impressions_recorded")
            .help("First-time impressions recorded (durable)")
            .labelNames("source")
            .withoutExemplars()
            .register(registry);
    Counter duplicateCounter =
        Counter.builder()
            .name("freshet_ingest_impressions_duplicates")
            .help(
                "Impressions of items the user had already been shown (they only bump a view counter)")
            .labelNames("source")
            .withoutExemplars()
            .register(registry);
    Counter acceptedCounter =
        Counter.builder()
            .name("freshet_ingest_events_accepted")
            .help(
                "Events accepted (answered 202), impressions among them; a user without consent's are not stored")
            .labelNames("source")
            .withoutExemplars()
            .register(registry);
    Counter resentCounter =
        Counter.builder()
            .name("freshet_ingest_user_batches_resent")
            .help(
                "Users' parts of keyed batches sent again after their write landed unanswered (a timeout): answered as the first time, not recorded again nor counted above")
            .labelNames("source")
            .withoutExemplars()
            .register(registry);
    for (Source s : Source.values()) {
      Map<Outcome, CounterDataPoint> byOutcome = new EnumMap<>(Outcome.class);
      // every series exists from the start, so that rate() sees the first batch of each kind
      for (Outcome o : Outcome.values())
        byOutcome.put(o, batchCounter.labelValues(s.label, o.label));
      batches.put(s, byOutcome);
      sizes.put(s, sizeHistogram.labelValues(s.label));
      seconds.put(s, secondsHistogram.labelValues(s.label));
      recorded.put(s, recordedCounter.labelValues(s.label));
      duplicates.put(s, duplicateCounter.labelValues(s.label));
      accepted.put(s, acceptedCounter.labelValues(s.label));
      resent.put(s, resentCounter.labelValues(s.label));
    }
  }

  /** A batch refused before it was parsed or admitted (malformed, over a limit, rate-limited). */
  public void refused(Source source, Throwable failure) {
    batches.get(source).get(Outcome.of(failure)).inc();
  }

  /**
   * Call when a parsed batch of {@code size} ids or events, started at {@code startedNanos}, is
   * answered.
   */
  public <T> BiConsumer<T, Throwable> batch(Source source, int size, long startedNanos) {
    return (result, failure) -> {
      batches.get(source).get(Outcome.of(failure)).inc();
      sizes.get(source).observe(size);
      seconds.get(source).observe((System.nanoTime() - startedNanos) / 1e9);
    };
  }

  /**
   * Call when a user entity has stored a batch of impressions: its first-time and repeated ones.
   */
  public BiConsumer<UserEntity.ImpressionsResult, Throwable> recorded(Source source) {
    return (result, failure) -> {
      if (failure != null) return;
      if (result.resent()) {
        resent.get(source).inc();
        return;
      }
      recorded.get(source).inc(result.recorded());
      duplicates.get(source).inc(result.duplicates());
    };
  }

  /**
   * Call when every user's part of an events batch is answered: {@code byUser} the events sent to
   * each user, {@code replies} their answers in the same order. Counts events accepted and, of
   * users whose events were stored (consent), impressions first-time and repeated.
   */
  public BiConsumer<Object, Throwable> accepted(
      Source source,
      Collection<List<Interaction>> byUser,
      List<? extends CompletableFuture<UserEntity.EventsResult>> replies) {
    return (done, failure) -> {
      if (failure != null) return;
      int accepted = 0, fresh = 0, repeated = 0;
      Iterator<List<Interaction>> sent = byUser.iterator();
      for (CompletableFuture<UserEntity.EventsResult> reply : replies) {
        UserEntity.EventsResult r = reply.join();
        List<Interaction> events = sent.next();
        if (r.resent()) {
          resent.get(source).inc();
          continue;
        }
        accepted += r.accepted();
        if (!r.stored()) continue;
        int impressions = 0;
        for (Interaction e : events) if (e.type() == InteractionType.IMPRESSION) impressions++;
        fresh += r.newImpressions();
        repeated += impressions - r.newImpressions();
      }
      this.accepted.get(source).inc(accepted);
      recorded.get(source).inc(fresh);
      duplicates.get(source).inc(repeated);
    };
  }
}
