package dev.freshet.http.metrics;

import dev.freshet.streams.TrainingJob;
import dev.freshet.streams.TrainingRun;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Training on /metrics (SPEC C8, issue 16), from the node that runs the job: runs by outcome
 * (promoted, recorded, skipped, failed), how long they took, and the last version's NDCG on its
 * holdout against popularity's.
 */
public final class TrainingMetrics implements TrainingJob.Observer {

  private static final double[] SECONDS = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

  private final Counter runs;
  private final Histogram seconds;
  private final Gauge ndcg;

  TrainingMetrics(PrometheusRegistry registry) {
    runs =
        Counter.builder()
            .name("freshet_training_runs")
            .help("Training runs by outcome: promoted, recorded (not promoted), skipped, failed")
            .labelNames("outcome")
            .register(registry);
    seconds =
        Histogram.builder()
            .name("freshet_training_seconds")
            .help("How long training runs took, reading the events included")
            .classicOnly()
            .classicUpperBounds(SECONDS)
            .withoutExemplars()
            .register(registry);
    ndcg =
        Gauge.builder()
            .name("freshet_model_ndcg")
            .help(
                "NDCG@k on each user's latest interaction of the last version trained (model) and of popularity on the same holdout")
            .labelNames("scorer")
            .register(registry);
  }

  @Override
  public void finished(TrainingRun.Result result, long millis) {
    seconds.observe(millis / 1000.0);
    if (result.version().isEmpty()) {
      runs.labelValues("skipped").inc();
      return;
    }
    runs.labelValues(result.promoted() ? "promoted" : "recorded").inc();
    ndcg.labelValues("model").set(result.ndcg());
    ndcg.labelValues("popularity").set(result.popularityNdcg());
  }

  @Override
  public void failed(String error, long millis) {
    seconds.observe(millis / 1000.0);
    runs.labelValues("failed").inc();
  }
}
