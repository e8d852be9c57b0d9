package dev.freshet.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

/**
 * The arithmetic behind {@code /v1/admin/alerts}: increases over the window series by series (a
 * reset series counts all of its value), and the p95 of a histogram's observations in the window
 * the way Prometheus' {@code histogram_quantile} interpolates.
 */
class AlertsWindowTest {

  private final PrometheusRegistry registry = new PrometheusRegistry();

  @Test
  void increasesAreTakenPerSeriesAndFiltered() {
    Counter batches = Counter.builder().name("b").labelNames("outcome").register(registry);
    batches.labelValues("ok").inc(10);
    MetricSnapshots then = registry.scrape();
    batches.labelValues("ok").inc(5);
    batches.labelValues("failed").inc(2); // a series born in the window: all of it is new
    Alerts.Window w = new Alerts.Window(registry.scrape(), then);
    assertThat(w.increase("b", l -> true)).isEqualTo(7);
    assertThat(w.increase("b", l -> "failed".equals(l.get("outcome")))).isEqualTo(2);
    assertThat(w.increase("nothing", l -> true)).isZero();
    // without history everything counted so far is the increase
    assertThat(new Alerts.Window(registry.scrape(), null).increase("b", l -> true)).isEqualTo(17);
  }

  @Test
  void aSeriesThatWentDownWasResetAndCountsWhole() {
    Counter before = Counter.builder().name("c").register(registry);
    before.inc(100);
    MetricSnapshots then = registry.scrape();
    PrometheusRegistry restarted = new PrometheusRegistry();
    Counter.builder().name("c").register(restarted).inc(3);
    assertThat(new Alerts.Window(restarted.scrape(), then).increase("c", l -> true)).isEqualTo(3);
  }

  @Test
  void gaugesAreSummedOrMaximised() {
    Gauge lag = Gauge.builder().name("lag").labelNames("tag").register(registry);
    lag.labelValues("a").set(3);
    lag.labelValues("b").set(40);
    Alerts.Window w = new Alerts.Window(registry.scrape(), null);
    assertThat(w.maxGauge("lag")).isEqualTo(40);
    assertThat(w.gauge("lag", l -> "a".equals(l.get("tag")))).isEqualTo(3);
    assertThat(w.gauge("lag", l -> false)).isNaN();
    assertThat(w.maxGauge("absent")).isNaN();
  }

  @Test
  void p95OfTheWindowInterpolatesLikeHistogramQuantile() {
    Histogram writes =
        Histogram.builder()
            .name("w")
            .classicOnly()
            .classicUpperBounds(0.1, 0.2, 0.5)
            .register(registry);
    // before the window: slow writes that must not count
    for (int i = 0; i < 50; i++) writes.observe(0.4);
    MetricSnapshots then = registry.scrape();
    // in the window: 90 fast, 10 between 0.2 and 0.5
    for (int i = 0; i < 90; i++) writes.observe(0.05);
    for (int i = 0; i < 10; i++) writes.observe(0.3);
    Alerts.Histogram h = new Alerts.Window(registry.scrape(), then).histogramIncrease("w");
    assertThat(h.count()).isEqualTo(100);
    // rank 95 falls in (0.2, 0.5], 5 of its 10: 0.2 + 0.3 * 5/10
    assertThat(h.quantile(0.95)).isCloseTo(0.35, within(1e-9));
    // rank 50 in (0, 0.1]: 50 of 90
    assertThat(h.quantile(0.5)).isCloseTo(0.1 * 50 / 90, within(1e-9));
  }

  @Test
  void aQuantileInTheInfBucketIsTheLastFiniteBoundAndNoneWithoutObservations() {
    Histogram writes =
        Histogram.builder().name("x").classicOnly().classicUpperBounds(0.1, 0.2).register(registry);
    Alerts.Window empty = new Alerts.Window(registry.scrape(), null);
    assertThat(empty.histogramIncrease("x").quantile(0.95)).isNaN();
    for (int i = 0; i < 10; i++) writes.observe(3);
    assertThat(new Alerts.Window(registry.scrape(), null).histogramIncrease("x").quantile(0.95))
        .isEqualTo(0.2);
  }
}
