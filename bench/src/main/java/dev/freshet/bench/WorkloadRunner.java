package dev.freshet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Runs a {@link Workload} in a closed loop: {@code concurrency} threads, each with its own
 * keep-alive connection, sending its next request as soon as the previous response is read. Only
 * responses that complete inside the measured window (after the warm-up) are counted. Latency is
 * the time from writing the request to having read the whole response, for successful requests
 * only.
 */
final class WorkloadRunner {

  /** Pause after an I/O error, so a dead node is not hammered with reconnects. */
  private static final long ERROR_BACKOFF_MILLIS = 10;

  private final Supplier<HttpConnection> connections;
  private final PrintStream progress;

  WorkloadRunner(Supplier<HttpConnection> connections, PrintStream progress) {
    this.connections = connections;
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
      return invalid
          + badStatuses.values().stream().mapToLong(Long::longValue).sum()
          + errors.values().stream().mapToLong(Long::longValue).sum();
    }

    long requests() {
      return succeeded + failed();
    }
  }

  RunStats run(
      Workload workload, Duration warmup, Duration duration, int concurrency, Duration timeout)
      throws InterruptedException {
    Window window = new Window(System.nanoTime(), warmup, duration);
    Tally tally = new Tally();
    ScheduledExecutorService ticker = startProgress(workload, window, tally);
    List<Thread> threads = new ArrayList<>(concurrency);
    try {
      for (int i = 0; i < concurrency; i++) {
        Thread thread =
            new Thread(() -> loop(workload, window, tally), "bench-" + workload.name() + "-" + i);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
      }
      // Every thread stops sending at the window's end; its last request ends by the timeout at the
      // latest.
      long deadline = window.measureEnd + timeout.plusSeconds(5).toNanos();
      for (Thread thread : threads) {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
      long stuck = threads.stream().filter(Thread::isAlive).count();
      if (stuck > 0) {
        progress.printf(
            "[%s] %d threads still waiting for a response after the run; ignored%n",
            workload.name(), stuck);
      }
    } finally {
      ticker.shutdownNow();
    }
    return new RunStats(
        window.seconds(),
        tally.succeeded.sum(),
        tally.invalid.sum(),
        snapshot(tally.badStatuses),
        snapshot(tally.errors),
        tally.latency.summary());
  }

  private void loop(Workload workload, Window window, Tally tally) {
    try (HttpConnection connection = connections.get()) {
      while (System.nanoTime() < window.measureEnd) {
        HttpConnection.Request request;
        try {
          request = workload.nextRequest();
        } catch (RuntimeException e) {
          progress.printf("[%s] cannot build a request: %s%n", workload.name(), e);
          return;
        }
        long sent = System.nanoTime();
        try {
          HttpConnection.Response response = connection.send(request);
          long done = System.nanoTime();
          tally.record(workload, window.contains(done), done - sent, response);
        } catch (IOException | RuntimeException e) {
          tally.error(window.contains(System.nanoTime()), e);
          try {
            Thread.sleep(ERROR_BACKOFF_MILLIS);
          } catch (InterruptedException interrupted) {
            return;
          }
        }
      }
    }
  }

  private ScheduledExecutorService startProgress(Workload workload, Window window, Tally tally) {
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-progress");
              t.setDaemon(true);
              return t;
            });
    long periodSeconds = 5;
    long[] lastCompleted = {0};
    ticker.scheduleAtFixedRate(
        () -> {
          long completed = tally.completed.sum();
          long now = System.nanoTime();
          progress.printf(
              "[%s] %-9s %3ds: %,d req/s, %,d failed so far%n",
              workload.name(),
              now < window.measureStart ? "warm-up" : "measuring",
              TimeUnit.NANOSECONDS.toSeconds(now - window.start),
              (completed - lastCompleted[0]) / periodSeconds,
              tally.failedAll.sum());
          lastCompleted[0] = completed;
        },
        periodSeconds,
        periodSeconds,
        TimeUnit.SECONDS);
    return ticker;
  }

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

    void record(Workload workload, boolean counted, long nanos, HttpConnection.Response response) {
      completed.increment();
      boolean ok;
      if (response.status() / 100 != 2) {
        ok = false;
        if (counted) {
          badStatuses.computeIfAbsent(response.status(), k -> new LongAdder()).increment();
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

    void error(boolean counted, Exception e) {
      completed.increment();
      failedAll.increment();
      if (counted) {
        errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
      }
    }
  }
}
