package dev.freshet.bench.vectors;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * Issue 15: compares embedded ANN libraries (jvector, hnswlib-core, Lucene's HNSW) on the same
 * clustered data, in one JVM, one after the other: build time and memory, single-thread QPS and
 * recall@k of top-k search, and filtered search with a share of the items excluded.
 *
 * <p>Run it with {@code bench/run-vector-index.sh [options]}; see {@link ComparisonOptions#USAGE}.
 */
public final class IndexComparison {

  /**
   * Unmeasured search right before the measured passes of each beam width and filter, after the
   * warm-up of every combination ({@link #warmUp}).
   */
  private static final double WARMUP_SECONDS = 0.5;

  /** Measured passes over all queries; the median counts. */
  private static final int REPEATS = 3;

  private final ComparisonOptions options;
  private final VectorData data;
  private final int[][] truth;
  private final List<Exclusion> exclusions;
  private final List<int[][]> filteredTruth;

  private IndexComparison(ComparisonOptions options) {
    this.options = options;
    long t0 = System.nanoTime();
    data =
        VectorData.generate(
            options.items(), options.queries(), options.dim(), options.clusters(), options.seed());
    log("data generated in %.1f s", seconds(t0));
    long t1 = System.nanoTime();
    truth = ExactSearch.topK(data.items(), data.queries(), options.k(), null);
    exclusions = new ArrayList<>();
    filteredTruth = new ArrayList<>();
    for (int i = 0; i < options.excluded().size(); i++) {
      Exclusion e =
          Exclusion.random(options.items(), options.excluded().get(i), options.seed() + i);
      exclusions.add(e);
      filteredTruth.add(ExactSearch.topK(data.items(), data.queries(), options.k(), e.allowed()));
    }
    log("exact top-%d of every query computed in %.1f s (all cores)", options.k(), seconds(t1));
  }

  public static void main(String[] args) throws Exception {
    ComparisonOptions options;
    try {
      options = ComparisonOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage().equals("help") ? "" : "error: " + e.getMessage());
      System.err.println(ComparisonOptions.USAGE);
      System.exit(2);
      return;
    }
    Locale.setDefault(Locale.ROOT);
    System.out.println("# Embedded vector index comparison (issue 15)");
    System.out.println();
    System.out.println(conditions(options));
    IndexComparison comparison = new IndexComparison(options);
    double exactQps = comparison.exactQps();
    List<LibraryResult> results = new ArrayList<>();
    for (String library : options.libraries()) {
      LibraryResult r = comparison.measure(options.newIndex(library));
      results.add(r);
    }
    System.out.println();
    System.out.print(ResultTable.markdown(options, exactQps, results));
    System.out.println();
    System.out.println("load average at the end: " + loadAverage());
  }

  /** Brute force on one thread, for scale: what no index at all would give. */
  private double exactQps() {
    int n = Math.min(options.queries(), 200);
    for (int q = 0; q < n; q++) { // warm-up
      ExactSearch.topK(data.items(), data.queries()[q], options.k(), null);
    }
    long start = System.nanoTime();
    for (int q = 0; q < n; q++) {
      ExactSearch.topK(data.items(), data.queries()[q], options.k(), null);
    }
    double qps = n * 1e9 / (System.nanoTime() - start);
    log("exact (brute force) on one thread: %.0f queries/s", qps);
    return qps;
  }

  private LibraryResult measure(AnnIndex index) {
    String name = index.name();
    String parameters = index.parameters();
    String filtering = index.filtering();
    log("%s: building (%s)", name, parameters);
    double buildSeconds = -1;
    double buildCpuSeconds = -1;
    double heapPerItem = -1;
    double libraryPerItem = -1;
    List<LibraryResult.EfResult> efs = new ArrayList<>();
    String failure = null;
    try {
      long before = HeapMeter.usedAfterGc();
      long cpuStart = processCpuNanos();
      long start = System.nanoTime();
      index.build(data.items(), options.buildThreads());
      buildSeconds = seconds(start);
      buildCpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
      heapPerItem = (double) (HeapMeter.usedAfterGc() - before) / options.items();
      long libraryBytes = index.bytes();
      libraryPerItem = libraryBytes < 0 ? -1 : (double) libraryBytes / options.items();
      log(
          "%s: built in %.1f s (%.1f CPU s), %.0f heap bytes/item (library estimate %.0f)",
          name, buildSeconds, buildCpuSeconds, heapPerItem, libraryPerItem);
      warmUp(index);
      for (int ef : options.efs()) {
        efs.add(measureEf(index, ef));
      }
    } catch (OutOfMemoryError e) {
      // report it and go on with the next library: the index is garbage once this frame lets go
      index = null;
      failure =
          String.format(
              "out of memory during %s with -Xmx%d MB (%s)",
              buildSeconds < 0 ? "build" : "search",
              Runtime.getRuntime().maxMemory() >> 20,
              e.getMessage());
    } catch (Exception e) {
      failure = e.toString();
    }
    if (failure != null) {
      log("%s FAILED: %s", name, failure);
    }
    return new LibraryResult(
        name,
        parameters,
        filtering,
        buildSeconds,
        buildCpuSeconds,
        heapPerItem,
        libraryPerItem,
        efs,
        failure);
  }

  /**
   * One unmeasured pass of every beam width with and without each filter before anything is
   * measured. Warming up each combination just before its measurement made the first one measured
   * look slower than later, costlier ones (C2 was still compiling), and the unfiltered search
   * faster than it stays once the filtered paths are compiled too; after this, every measured pass
   * runs the same compiled code, as in a service that serves all kinds of queries.
   */
  private void warmUp(AnnIndex index) throws Exception {
    long start = System.nanoTime();
    List<IntPredicate> filters = new ArrayList<>();
    filters.add(null);
    exclusions.forEach(e -> filters.add(e.allowed()));
    for (int ef : options.efs()) {
      for (IntPredicate allowed : filters) {
        for (float[] q : data.queries()) {
          index.search(q, options.k(), ef, allowed);
        }
      }
    }
    log("%s: warm-up pass of every beam width and filter in %.1f s", index.name(), seconds(start));
  }

  private LibraryResult.EfResult measureEf(AnnIndex index, int ef) throws Exception {
    float[][] queries = data.queries();
    SearchRun all =
        SearchRun.measure(index, queries, truth, options.k(), ef, null, WARMUP_SECONDS, REPEATS);
    log(
        "%s ef %d: %.0f queries/s (%.0f per CPU s), recall@%d %.4f",
        index.name(), ef, all.qps(), all.cpuQps(), options.k(), all.recall());
    List<SearchRun> filtered = new ArrayList<>();
    List<Double> searches = new ArrayList<>();
    for (int i = 0; i < exclusions.size(); i++) {
      IntPredicate allowed = exclusions.get(i).allowed();
      if (index instanceof HnswlibIndex h) {
        h.resetOverFetch();
      }
      SearchRun run =
          SearchRun.measure(
              index,
              queries,
              filteredTruth.get(i),
              options.k(),
              ef,
              allowed,
              WARMUP_SECONDS,
              REPEATS);
      double perQuery = index instanceof HnswlibIndex h ? h.overFetchCalls() : 1.0;
      filtered.add(run);
      searches.add(perQuery);
      log(
          "%s ef %d, %.0f%% excluded: %.0f queries/s, recall@%d %.4f, results mean %.1f min %d,"
              + " %d violations, %.2f searches/query",
          index.name(),
          ef,
          exclusions.get(i).fraction() * 100,
          run.qps(),
          options.k(),
          run.recall(),
          run.meanResults(),
          run.minResults(),
          run.violations(),
          perQuery);
    }
    return new LibraryResult.EfResult(ef, all, filtered, searches);
  }

  private static String conditions(ComparisonOptions options) {
    var runtime = ManagementFactory.getRuntimeMXBean();
    List<String> gcs = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcs.add(gc.getName());
    }
    return String.join(
        "\n",
        "Conditions:",
        "- cores: " + Runtime.getRuntime().availableProcessors() + " available to the JVM",
        "- load average at the start: " + loadAverage(),
        "- JVM: "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + ", max heap "
            + (Runtime.getRuntime().maxMemory() >> 20)
            + " MB, GC "
            + gcs,
        "- JVM flags: " + String.join(" ", runtime.getInputArguments()),
        "- options: " + options,
        "- data: Gaussian mixture of "
            + options.clusters()
            + " unit centres, noise norm "
            + VectorData.NOISE
            + ", unit-normalised; queries from the same mixture (not items)",
        "- similarity: dot product of unit vectors (= cosine) in every library",
        "- SIMD: "
            + (Runtime.version().feature() < 20
                ? "none: on Java "
                    + Runtime.version().feature()
                    + " jvector and Lucene run their scalar code (their Vector API code needs 20+),"
                    + " as hnswlib always does"
                : "jvector and Lucene may use the Vector API if --add-modules"
                    + " jdk.incubator.vector is given; hnswlib is scalar"),
        "- QPS: one thread, median of "
            + REPEATS
            + " passes over all queries; before them, one unmeasured pass of every beam width"
            + " and filter, and "
            + WARMUP_SECONDS
            + " s of the one measured",
        "- filters: the given fractions of items excluded uniformly at random (fixed per seed);"
            + " recall is against the exact top k of the allowed items",
        "");
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "n/a";
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void log(String format, Object... args) {
    System.out.println("  " + String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
