package dev.freshet.bench.vectors;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * One measured pass of all queries through an index at one beam width and filter.
 *
 * @param qps queries per second, one thread, after the warm-up
 * @param cpuQps queries per CPU second of the searching thread: on a shared machine the wall clock
 *     also counts time spent waiting for a core, the thread's CPU time does not
 * @param recall mean recall@k against the exact top k of the allowed items
 * @param meanResults mean number of results returned (k unless the library shrank them)
 * @param minResults the fewest results any query got
 * @param violations results that were excluded by the filter, or duplicates (must be 0)
 */
public record SearchRun(
    double qps, double cpuQps, double recall, double meanResults, int minResults, long violations) {

  /**
   * Runs the queries unmeasured for at least {@code warmupSeconds} (whole passes, at least one),
   * then {@code repeats} measured passes, and compares the results with {@code truth}. The QPS is
   * the median pass: the machine may be shared, and a pass slowed by a neighbour is an outlier.
   */
  static SearchRun measure(
      AnnIndex index,
      float[][] queries,
      int[][] truth,
      int k,
      int ef,
      IntPredicate allowed,
      double warmupSeconds,
      int repeats)
      throws Exception {
    long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
    do {
      for (float[] query : queries) {
        index.search(query, k, ef, allowed);
      }
    } while (System.nanoTime() < warmupEnd);
    int[][] results = new int[queries.length][];
    double[] qps = new double[repeats];
    double[] cpuQps = new double[repeats];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < repeats; r++) {
      long cpuStart = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (int q = 0; q < queries.length; q++) {
        results[q] = index.search(queries[q], k, ef, allowed);
      }
      qps[r] = queries.length * 1e9 / (System.nanoTime() - start);
      cpuQps[r] = queries.length * 1e9 / (threads.getCurrentThreadCpuTime() - cpuStart);
    }
    Arrays.sort(qps);
    Arrays.sort(cpuQps);
    long sum = 0;
    int min = Integer.MAX_VALUE;
    long violations = 0;
    for (int[] r : results) {
      sum += r.length;
      min = Math.min(min, r.length);
      Set<Integer> seen = new HashSet<>();
      for (int id : r) {
        if ((allowed != null && !allowed.test(id)) || !seen.add(id)) {
          violations++;
        }
      }
    }
    return new SearchRun(
        qps[repeats / 2],
        cpuQps[repeats / 2],
        Recall.mean(truth, results, k),
        (double) sum / results.length,
        min,
        violations);
  }
}
