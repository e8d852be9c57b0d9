package dev.freshet.bench;

import java.util.Map;

/**
 * One kind of request a {@link WorkloadRunner} sends in a closed loop. Implementations are
 * thread-safe.
 */
interface Workload {

  /** "ingest" or "rank": the key of this workload in the report. */
  String name();

  /** The SPEC target this workload is measured against. */
  BenchReport.Target target();

  /** Workload-specific conditions for the report (batch size, item count, k, ...). */
  Map<String, Object> conditions();

  /** A fresh request; called concurrently. */
  HttpConnection.Request nextRequest();

  /**
   * Judges a 2xx response (the runner counts other statuses itself). Updates this workload's
   * counters only when {@code counted}, i.e. the response arrived inside the measured window.
   *
   * @return false if the body is not what the API promises (counted as an invalid response)
   */
  boolean accept(HttpConnection.Response response, boolean counted);

  /** Counters of the measured window, e.g. impressions, recorded, duplicates; in display order. */
  Map<String, Long> counters();
}
