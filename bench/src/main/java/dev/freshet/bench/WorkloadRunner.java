package dev.freshet.bench;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs a {@link Workload} in a closed loop: {@code concurrency} chains, each sending its next request as
 * soon as the previous one completes. Only responses that complete inside the measured window (after the
 * warm-up) are counted. Latency is the time from send to the full response body, successful requests only.
 */
final class WorkloadRunner {

  private final HttpClient client;
  private final Executor callbacks;
  private final PrintStream progress;

  /** {@code client} must have an explicit executor; completions run on it (never on the sending stack). */
  WorkloadRunner(HttpClient client, PrintStream progress) {
    this.client = client;
    this.callbacks = client.executor().orElseThrow(
        () -> new IllegalArgumentException("the HttpClient needs an explicit executor"));
    this.progress = progress;
  }

  /** What happened in the measured window. */
  record RunStats(
      double measuredSeconds,
      long succeeded,
      long invalid,
      Map<Integer, Long> badStatuses,
      Map<String, Long> errors,
      LatencyRecorder.Summary latency) {

    long failed() {
      return invalid + badStatuses.values().stream().mapToLong(Long::longValue).sum()
          + errors.values().stream().mapToLong(Long::longValue).sum();
    }

    long requests() {
      return succeeded + failed();
    }
  }

  RunStats run(Workload workload, Duration warmup, Duration duration, int concurrency, Duration timeout)
      throws InterruptedException {
    Window window = new Window(System.nanoTime(), warmup, duration);
    Tally tally = new Tally();
    CountDownLatch finished = new CountDownLatch(concurrency);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-progress");
      t.setDaemon(true);
      return t;
    });
    long[] lastCompleted = {0};
    ticker.scheduleAtFixedRate(() -> {
      long completed = tally.completed.sum();
      long now = System.nanoTime();
      String phase = now < window.measureStart ? "warm-up" : "measuring";
      progress.printf("[%s] %s %3ds: %,d req/s, %,d failed so far%n", workload.name(), phase,
          TimeUnit.NANOSECONDS.toSeconds(now - window.start), (completed - lastCompleted[0]) / 5,
          tally.failedAll.sum());
      lastCompleted[0] = completed;
    }, 5, 5, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < concurrency; i++) {
        sendNext(workload, window, tally, finished);
      }
      // All chains stop sending at the window's end; wait for the last in-flight responses (or timeouts).
      long budget = warmup.plus(duration).plus(timeout).plusSeconds(5).toNanos();
      if (!finished.await(budget, TimeUnit.NANOSECONDS)) {
        progress.printf("[%s] %d request chains still in flight after the run; ignored%n",
            workload.name(), finished.getCount());
      }
    } finally {
      ticker.shutdownNow();
    }
    return new RunStats(window.seconds(), tally.succeeded.sum(), tally.invalid.sum(),
        snapshot(tally.badStatuses), snapshot(tally.errors),
        tally.latency.summary());
  }

  private void sendNext(Workload workload, Window window, Tally tally, CountDownLatch finished) {
    if (System.nanoTime() >= window.measureEnd) {
      finished.countDown();
      return;
    }
    long sent = System.nanoTime();
    try {
      client.sendAsync(workload.nextRequest(), HttpResponse.BodyHandlers.ofByteArray())
          // time-stamp where the response completes, then judge it on the executor, off any sending stack
          .handle((response, error) -> new Completion(response, error, System.nanoTime()))
          .thenAcceptAsync(c -> {
            try {
              tally.record(workload, window.contains(c.nanos), c.nanos - sent, c.response, c.error);
            } finally {
              sendNext(workload, window, tally, finished);
            }
          }, callbacks);
    } catch (RuntimeException e) {
      progress.printf("[%s] cannot build a request: %s%n", workload.name(), e);
      finished.countDown();
    }
  }

  private record Completion(HttpResponse<byte[]> response, Throwable error, long nanos) {}

  private static <K> Map<K, Long> snapshot(Map<K, LongAdder> adders) {
    Map<K, Long> copy = new TreeMap<>();
    adders.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** Warm-up then measured window, in System.nanoTime() terms. */
  private static final class Window {
    final long start;
    final long measureStart;
    final long measureEnd;

    Window(long start, Duration warmup, Duration duration) {
      this.start = start;
      this.measureStart = start + warmup.toNanos();
      this.measureEnd = measureStart + duration.toNanos();
    }

    boolean contains(long nanos) {
      return nanos >= measureStart && nanos < measureEnd;
    }

    double seconds() {
      return (measureEnd - measureStart) / 1e9;
    }
  }

  /** Concurrent counters of one run. */
  private static final class Tally {
    final LongAdder completed = new LongAdder();
    final LongAdder failedAll = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final Map<Integer, LongAdder> badStatuses = new ConcurrentHashMap<>();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LatencyRecorder latency = new LatencyRecorder();

    void record(Workload workload, boolean counted, long nanos, HttpResponse<byte[]> response,
        Throwable error) {
      completed.increment();
      boolean ok;
      if (error != null) {
        ok = false;
        if (counted) {
          Throwable cause = error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error;
          errors.computeIfAbsent(cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
        }
      } else if (response.statusCode() / 100 != 2) {
        ok = false;
        if (counted) {
          badStatuses.computeIfAbsent(response.statusCode(), k -> new LongAdder()).increment();
        }
      } else {
        ok = workload.accept(response, counted);
        if (!ok && counted) {
          invalid.increment();
        }
      }
      if (!ok) {
        failedAll.increment();
      } else if (counted) {
        succeeded.increment();
        latency.recordNanos(nanos);
      }
    }
  }
}
