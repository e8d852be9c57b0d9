package dev.freshet.http.metrics;

import com.typesafe.config.Config;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolMetrics;
import dev.freshet.actors.user.JournalLatency;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ClusterView;
import dev.freshet.streams.PopularityFeed;
import dev.freshet.streams.RankingEventWriter;
import dev.freshet.streams.readmodel.PipelineMonitor;
import dev.freshet.streams.readmodel.PipelineStatus;
import dev.freshet.streams.readmodel.ProjectionCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.Patterns;

/**
 * This node's metrics in one Prometheus registry (one per node, so that several nodes in one JVM do
 * not collide), served as Prometheus text at {@code /metrics}. Figures other parts keep themselves
 * are read through callbacks at scrape time, so nothing is counted twice.
 */
public final class Metrics {

  private static final ContentType TEXT =
      ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE);

  /**
   * JVM metrics once per JVM: JvmMetrics remembers every registry it was registered with, so one
   * per node would keep every stopped node's registry (and what its callbacks reach) alive.
   */
  private static final PrometheusRegistry JVM = jvmRegistry();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Histogram journalWrites;
  private final IngestMetrics ingest;
  private final VectorMetrics vectors;
  private final TrainingMetrics training;
  private Alerts alerts;
  private MetricHistory history;

  private static PrometheusRegistry jvmRegistry() {
    PrometheusRegistry jvm = new PrometheusRegistry();
    JvmMetrics.builder().register(jvm);
    return jvm;
  }

  private Metrics() {
    journalWrites =
        Histogram.builder()
            .name("freshet_journal_write_seconds")
            .help(
                "User-entity journal writes, from the command that caused one to the write being durable")
            .classicOnly()
            .classicUpperBounds(IngestMetrics.SECONDS_BUCKETS)
            .withoutExemplars()
            .register(registry);
    ingest = new IngestMetrics(registry);
    vectors = new VectorMetrics(registry);
    training = new TrainingMetrics(registry);
  }

  /** {@code freshet.metrics}, {@code freshet.alerts} and {@code freshet.dashboard}. */
  public record Settings(
      Duration entitiesInterval, Alerts.Settings alerts, MetricHistory.Settings history) {
    public static Settings fromConfig(Config config) {
      return new Settings(
          config.getDuration("freshet.metrics.entities-interval"),
          Alerts.Settings.fromConfig(config),
          MetricHistory.Settings.fromConfig(config));
    }
  }

  /** The registry with predictive pool generation's figures (C5). */
  public static Metrics of(PoolMetrics pool) {
    Metrics m = new Metrics();
    m.counter(
        "freshet_pool_signals",
        "Pool-low signals received by the coordinator",
        pool,
        PoolMetrics::signals);
    m.counter(
        "freshet_pool_generation_requests",
        "Generation requests sent to the generator",
        pool,
        PoolMetrics::requests);
    m.counter(
        "freshet_pool_generation_completed",
        "Generation requests that completed",
        pool,
        PoolMetrics::completed);
    m.counter(
        "freshet_pool_generation_failed",
        "Generation requests that failed (their demand is retried)",
        pool,
        PoolMetrics::failed);
    m.counter(
        "freshet_pool_generated_items",
        "Items the generator added to the catalog",
        pool,
        PoolMetrics::itemsGenerated);
    m.gauge(
        "freshet_pool_users_at_risk",
        "Users with fewer unseen items than the at-risk limit",
        pool,
        PoolMetrics::usersAtRisk);
    m.gauge(
        "freshet_pool_demand_waiting",
        "Categories with demand not yet asked for",
        pool,
        PoolMetrics::demandWaiting);
    m.gauge(
        "freshet_pool_requests_in_flight",
        "Generation requests awaiting the generator",
        pool,
        PoolMetrics::requestsInFlight);
    return m;
  }

  /**
   * Adds the read-model pipelines (C7): per projection and tag the committed offset, lag, events
   * waiting, rows and rows/s as every node samples them from PostgreSQL, and this node's own counts
   * of skipped rows and dead letters by reason and failed batches; and the write-behind streams'
   * dropped counts.
   */
  public Metrics registerPipelines(
      PipelineMonitor monitor,
      ProjectionCounters counters,
      RankingEventWriter rankingEvents,
      PopularityFeed popularityFeed) {
    pipelineGauges(monitor);
    projectionCounters(monitor, counters);
    writeBehindDrops(rankingEvents, popularityFeed);
    return this;
  }

  /** Per projection and tag, from the pipeline monitor's latest sample. */
  private void pipelineGauges(PipelineMonitor monitor) {
    pipelineGauge(
        "freshet_pipeline_lag_seconds",
        "Age of the oldest journal event a projection has not committed",
        monitor,
        PipelineStatus::lagSeconds);
    pipelineGauge(
        "freshet_pipeline_offset",
        "Journal ordering a projection has committed",
        monitor,
        s -> s.offset());
    pipelineGauge(
        "freshet_pipeline_pending_events",
        "Journal orderings between a projection's offset and its tag's newest event (at least the tagged events to go)",
        monitor,
        s -> s.pendingEvents());
    pipelineGauge(
        "freshet_pipeline_rows_per_second",
        "Rows a projection wrote per second over the last sample",
        monitor,
        PipelineStatus::rowsPerSecond);
    pipelineGauge(
        "freshet_pipeline_healthy",
        "1 unless a projection's last error is newer than its last batch",
        monitor,
        s -> s.healthy() ? 1 : 0);
  }

  /**
   * Rows (cluster-wide, from the offset rows), and this node's skips, dead letters, failures and
   * batches.
   */
  private void projectionCounters(PipelineMonitor monitor, ProjectionCounters counters) {
    CounterWithCallback.builder()
        .name("freshet_pipeline_rows")
        .help("Rows a projection has written (cluster-wide, from its offset row)")
        .labelNames("projection", "tag")
        .callback(
            cb -> monitor.current().forEach(s -> cb.call(s.rowsTotal(), s.projection(), s.tag())))
        .register(registry);
    CounterWithCallback.builder()
        .name("freshet_pipeline_skipped_rows")
        .help("Rows this node's projections skipped, by reason")
        .labelNames("projection", "reason")
        .callback(
            cb ->
                counters.skipped().forEach((k, v) -> cb.call(v.sum(), k.projection(), k.reason())))
        .register(registry);
    CounterWithCallback.builder()
        .name("freshet_pipeline_dead_letters")
        .help("Events this node's projections set aside in read_model_dead_letters, by reason")
        .labelNames("projection", "reason")
        .callback(
            cb ->
                counters
                    .deadLetters()
                    .forEach((k, v) -> cb.call(v.sum(), k.projection(), k.reason())))
        .register(registry);
    CounterWithCallback.builder()
        .name("freshet_pipeline_failed_batches")
        .help(
            "Batches this node's projections failed (each restarts the stream from its committed offset)")
        .labelNames("projection")
        .callback(cb -> counters.failures().forEach((p, v) -> cb.call(v.sum(), p)))
        .register(registry);
    CounterWithCallback.builder()
        .name("freshet_pipeline_batch_seconds")
        .help("Time this node's projections spent writing batches")
        .labelNames("projection")
        .callback(cb -> counters.batchNanos().forEach((p, v) -> cb.call(v.sum() / 1e9, p)))
        .register(registry);
    CounterWithCallback.builder()
        .name("freshet_pipeline_batches")
        .help("Batches this node's projections committed")
        .labelNames("projection")
        .callback(cb -> counters.batches().forEach((p, v) -> cb.call(v.sum(), p)))
        .register(registry);
  }

  /** What the write-behind buffers dropped. */
  private void writeBehindDrops(RankingEventWriter rankingEvents, PopularityFeed popularityFeed) {
    counter(
        "freshet_ranking_events_dropped",
        "Ranking events dropped by the write-behind (buffer full or write failed)",
        rankingEvents,
        RankingEventWriter::dropped);
    counter(
        "freshet_popularity_signals_dropped",
        "Popularity signals dropped because the feed's buffer was full",
        popularityFeed,
        PopularityFeed::dropped);
  }

  /**
   * Adds how fresh this node's resident (active) users are: how many have at least half of the
   * active pool unseen, less than half, or an empty pool; how many have fewer unseen items than the
   * at-risk limit; and the freshness KPI, the share of them with at least half unseen (absent with
   * no users). Summed over nodes the counts are the cluster's; the KPI of the cluster is the ratio
   * of the sums.
   */
  public Metrics registerFreshness(FreshnessBands bands) {
    GaugeWithCallback.builder()
        .name("freshet_freshness_users")
        .help(
            "Resident users by unseen share of the active pool (half_or_more_unseen, under_half_unseen, empty_pool)")
        .labelNames("band")
        .callback(
            cb -> {
              cb.call(bands.users(FreshnessBands.Share.HALF_OR_MORE_UNSEEN), "half_or_more_unseen");
              cb.call(bands.users(FreshnessBands.Share.UNDER_HALF_UNSEEN), "under_half_unseen");
              cb.call(bands.users(FreshnessBands.Share.EMPTY_POOL), "empty_pool");
            })
        .register(registry);
    gauge(
        "freshet_freshness_users_few_unseen",
        "Resident users with fewer unseen active items than the at-risk limit",
        bands,
        FreshnessBands::fewUnseen);
    GaugeWithCallback.builder()
        .name("freshet_freshness_kpi")
        .help(
            "Share of resident users (non-empty pool) with at least half of the active pool unseen")
        .callback(cb -> bands.kpi().ifPresent(cb::call))
        .register(registry);
    return this;
  }

  /**
   * The trained model this node serves and the user fold-ins its entities did against it (each a
   * small solve after an event batch or for a ranking).
   */
  public Metrics registerModels(dev.freshet.actors.learning.ServingModels models) {
    gauge(
        "freshet_model_serving_version",
        "Model version this node serves (0 while none is promoted)",
        models,
        m -> m.promotedVersion());
    CounterWithCallback.builder()
        .name("freshet_cf_fold_ins")
        .help("Users folded in against a trained model on this node")
        .callback(cb -> cb.call(models.foldIns()))
        .register(registry);
    CounterWithCallback.builder()
        .name("freshet_cf_fold_in_seconds")
        .help("Time this node's fold-ins took")
        .callback(cb -> cb.call(models.foldInNanos() / 1e9))
        .register(registry);
    return this;
  }

  /**
   * Adds the user entities resident on this node ({@code freshet_entities{type="user"}}), asked of
   * Cluster Sharding every {@code interval}; absent until the first answer.
   */
  public Metrics sampleEntities(ActorSystem<?> system, Duration interval) {
    AtomicLong users = new AtomicLong(-1);
    AtomicLong shards = new AtomicLong(-1);
    GaugeWithCallback.builder()
        .name("freshet_entities")
        .help("Sharded entities resident on this node, by type (sampled from the shard region)")
        .labelNames("type")
        .callback(
            cb -> {
              long n = users.get();
              if (n >= 0) cb.call(n, "user");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("freshet_cluster_shards")
        .help(
            "Shards of the sharded entities hosted on this node, by type (sampled with freshet_entities)")
        .labelNames("type")
        .callback(
            cb -> {
              long n = shards.get();
              if (n >= 0) cb.call(n, "user");
            })
        .register(registry);
    // the region's shard statistics are counts; its full state would list every resident entity's
    // id
    ActorRef region =
        ClusterSharding.get(system.classicSystem()).shardRegion(UserEntity.TYPE_KEY.name());
    system
        .scheduler()
        .scheduleWithFixedDelay(
            Duration.ZERO,
            interval,
            () ->
                Patterns.ask(region, ShardRegion.getRegionStatsInstance(), interval)
                    .thenAccept(
                        reply -> {
                          var stats = ((ShardRegion.ShardRegionStats) reply).getStats();
                          users.set(
                              stats.values().stream()
                                  .mapToLong(n -> ((Number) n).longValue())
                                  .sum());
                          shards.set(stats.size());
                        }),
            system.executionContext());
    return this;
  }

  /**
   * Adds the cluster as this node sees it (SPEC C11): members by status ({@code
   * freshet_cluster_members{status}}, every status, 0 where there is none), unreachable members,
   * and whether this node is the leader and the oldest (the cluster singletons' host). Read from
   * the node's gossip state at each scrape; the shards hosted here are {@code
   * freshet_cluster_shards} of {@link #sampleEntities}.
   */
  public Metrics registerCluster(ClusterView cluster) {
    GaugeWithCallback.builder()
        .name("freshet_cluster_members")
        .help("Cluster members as this node sees them, by status")
        .labelNames("status")
        .callback(
            cb -> {
              Map<String, Integer> byStatus = new LinkedHashMap<>();
              for (String status : ClusterView.STATUSES) byStatus.put(status, 0);
              cluster
                  .membership()
                  .members()
                  .forEach(m -> byStatus.merge(m.status(), 1, Integer::sum));
              byStatus.forEach((status, n) -> cb.call(n, status));
            })
        .register(registry);
    gauge(
        "freshet_cluster_unreachable_members",
        "Members that some member's failure detector cannot reach, as this node sees it",
        cluster,
        c -> c.membership().unreachable().size());
    gauge(
        "freshet_cluster_leader",
        "1 if this node is the cluster leader, else 0",
        cluster,
        c -> {
          ClusterView.Membership m = c.membership();
          return m.self().equals(m.leader()) ? 1 : 0;
        });
    gauge(
        "freshet_cluster_oldest",
        "1 if this node is the oldest member, where the cluster singletons run, else 0",
        cluster,
        c -> {
          ClusterView.Membership m = c.membership();
          return m.self().equals(m.oldest()) ? 1 : 0;
        });
    return this;
  }

  /**
   * Adds SPEC C9's alerts, evaluated on this node ({@code GET /v1/admin/alerts}), sampling from now
   * on.
   */
  public Metrics startAlerts(ActorSystem<?> system, Alerts.Settings settings) {
    alerts = new Alerts(registry, settings);
    alerts.start(system);
    return this;
  }

  /**
   * Keeps this node's figures over time for the admin dashboard ({@code GET
   * /v1/admin/dashboard/metrics}), sampling from now on.
   */
  public Metrics startHistory(ActorSystem<?> system, MetricHistory.Settings settings) {
    history = new MetricHistory(registry, settings);
    history.start(system);
    return this;
  }

  /** The history of {@link #startHistory}, which every node keeps. */
  public MetricHistory history() {
    if (history == null) throw new IllegalStateException("Metrics.startHistory was not called");
    return history;
  }

  /**
   * Where user entities report their journal writes' latency ({@code
   * freshet_journal_write_seconds}).
   */
  public JournalLatency journalLatency() {
    return nanos -> journalWrites.observe(nanos / 1e9);
  }

  public IngestMetrics ingest() {
    return ingest;
  }

  /** Where the training job reports its runs. */
  public TrainingMetrics training() {
    return training;
  }

  /** Where the vector lookups report; {@link VectorMetrics#register} adds the indexes' gauges. */
  public VectorMetrics vectors() {
    return vectors;
  }

  /** The alerts of {@link #startAlerts}, which every node sets up. */
  public Alerts alerts() {
    if (alerts == null) throw new IllegalStateException("Metrics.startAlerts was not called");
    return alerts;
  }

  private void pipelineGauge(
      String name, String help, PipelineMonitor monitor, ToDoubleFunction<PipelineStatus> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("projection", "tag")
        .callback(
            cb ->
                monitor
                    .current()
                    .forEach(s -> cb.call(value.applyAsDouble(s), s.projection(), s.tag())))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  private <T> void counter(String name, String help, T source, ToDoubleFunction<T> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.applyAsDouble(source)))
        .register(registry);
  }

  private <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.applyAsDouble(source)))
        .register(registry);
  }

  /** A scrape, in Prometheus text format. */
  public HttpResponse scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
      writer.write(out, JVM.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.create().withEntity(HttpEntities.create(TEXT, out.toByteArray()));
  }
}
