package dev.freshet.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Thread-safe latency histogram (microsecond resolution, 3 significant digits). */
final class LatencyRecorder {

  /** Latencies above this are clamped; a request this slow has long timed out anyway. */
  static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final Histogram histogram = new ConcurrentHistogram(MAX_MICROS, 3);

  void recordNanos(long nanos) {
    long micros = Math.max(1, Math.min(MAX_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
    histogram.recordValue(micros);
  }

  Summary summary() {
    if (histogram.getTotalCount() == 0) {
      return Summary.EMPTY;
    }
    return new Summary(
        histogram.getTotalCount(),
        histogram.getMean() / 1000.0,
        ms(histogram.getValueAtPercentile(50)),
        ms(histogram.getValueAtPercentile(90)),
        ms(histogram.getValueAtPercentile(99)),
        ms(histogram.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  /** Latency figures in milliseconds. */
  record Summary(
      long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
    static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0);
  }
}
