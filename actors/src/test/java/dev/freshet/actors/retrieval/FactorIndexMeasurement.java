package dev.freshet.actors.retrieval;

import dev.freshet.actors.learning.AlsModel;
import dev.freshet.actors.learning.AlsSettings;
import dev.freshet.actors.learning.ImplicitAls;
import dev.freshet.actors.learning.Interactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures the factor index: build time, memory, single-thread query time of the exact scan and of
 * the graph, and the graph's recall@k against the scan, at the sizes and beams asked for. Not a
 * test (it asserts nothing and runs only when asked); bench/README.md, "CF candidates: the factor
 * index", has the figures and the command:
 *
 * <pre>
 * mvn -B -ntp -o -q test -pl actors -Dtest=FactorIndexMeasurement \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dfreshet.test.jvmArgs=-Xmx8g \
 *   -Dfreshet.measure.factors=items=10000,1000000:data=gaussian:beams=100,200,400
 * </pre>
 *
 * Options, {@code name=value} separated by colons: {@code items} (list), {@code factors} [64],
 * {@code data} [als: {@link FactorData#alsLike}; gaussian; movielens: ALS trained on
 * ml-latest-small, its users as queries], {@code k} [100], {@code queries} [200], {@code beams}
 * [200] (search beams; the graph is built once per size), {@code seen} [50] (random items each
 * query filters out, as a user's history), {@code m} [16] and {@code efc} [100] (the graph's links
 * per node and build beam).
 */
@EnabledIfSystemProperty(named = "freshet.measure.factors", matches = ".*")
class FactorIndexMeasurement {

  @Test
  void measure() throws IOException {
    Map<String, String> o = options(System.getProperty("freshet.measure.factors"));
    int factors = Integer.parseInt(o.getOrDefault("factors", "64"));
    int k = Integer.parseInt(o.getOrDefault("k", "100"));
    int queries = Integer.parseInt(o.getOrDefault("queries", "200"));
    int seen = Integer.parseInt(o.getOrDefault("seen", "50"));
    String data = o.getOrDefault("data", "als");
    int[] beams = ints(o.getOrDefault("beams", "200"));
    int[] sizes = data.equals("movielens") ? new int[] {0} : ints(o.getOrDefault("items", "10000"));
    System.out.printf(
        Locale.ROOT,
        "factor index: data=%s factors=%d k=%d queries=%d seen=%d, %d cores, %s%n",
        data,
        factors,
        k,
        queries,
        seen,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.version"));
    for (int size : sizes) {
      float[] items;
      float[][] users;
      if (data.equals("movielens")) {
        AlsModel model = movieLens();
        factors = model.factors();
        items = model.itemFactors();
        users = new float[queries][];
        for (int q = 0; q < queries; q++) users[q] = model.userVector(q % model.users());
      } else {
        items =
            data.equals("gaussian")
                ? FactorData.gaussian(size, factors, 1)
                : FactorData.alsLike(size, factors, 50, 1);
        float[] u =
            data.equals("gaussian")
                ? FactorData.gaussian(queries, factors, 2)
                : FactorData.alsLike(queries, factors, 50, 2);
        users = new float[queries][];
        for (int q = 0; q < queries; q++) users[q] = FactorData.row(u, factors, q);
      }
      FactorIndexSettings d = FactorIndexSettings.defaults();
      FactorIndexSettings settings =
          new FactorIndexSettings(
              0,
              Integer.parseInt(o.getOrDefault("m", "" + d.maxConnections())),
              Integer.parseInt(o.getOrDefault("efc", "" + d.beamWidth())),
              d.searchBeam(),
              d.exactBelow(),
              d.seed());
      run(items, factors, users, k, seen, beams, settings);
    }
  }

  private static void run(
      float[] items,
      int factors,
      float[][] users,
      int k,
      int seen,
      int[] beams,
      FactorIndexSettings settings) {
    int n = items.length / factors;
    System.out.println("  item norms " + norms(items, factors));
    IntPredicate[] filters = filters(n, users.length, seen);
    long wall = System.nanoTime(), start = cpuNanos();
    FactorIndex index = FactorIndex.build(items, factors, settings);
    double buildSeconds = (cpuNanos() - start) / 1e9;
    double buildWall = (System.nanoTime() - wall) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "items=%d M=%d build beam=%d: build %.2f s CPU (%.2f s wall), graph %.1f MB (%.0f B/item), factors %.1f MB%n",
        n,
        settings.maxConnections(),
        settings.beamWidth(),
        buildSeconds,
        buildWall,
        index.bytes() / 1e6,
        (double) index.bytes() / n,
        4.0 * items.length / 1e6);

    int[][] exact = new int[users.length][];
    double exactMicros =
        time(
                () -> {
                  for (int q = 0; q < users.length; q++)
                    exact[q] = index.exact(users[q], k, filters[q]).denseIds();
                })
            / users.length;
    System.out.printf(Locale.ROOT, "  exact scan   %9.1f µs/query%n", exactMicros);
    for (int beam : beams) {
      FactorIndex searched = index.withSearchBeam(beam);
      int[][] graph = new int[users.length][];
      double micros =
          time(
                  () -> {
                    for (int q = 0; q < users.length; q++)
                      graph[q] = searched.top(users[q], k, filters[q]);
                  })
              / users.length;
      System.out.printf(
          Locale.ROOT,
          "  graph beam %-4d %7.1f µs/query  recall@%d %.4f%n",
          beam,
          micros,
          k,
          FactorData.recall(exact, graph));
    }
  }

  /** Microseconds the work took, on its second run (the first warms the JIT). */
  private static double time(Runnable work) {
    work.run();
    long start = cpuNanos();
    work.run();
    return (cpuNanos() - start) / 1e3;
  }

  /**
   * This thread's CPU time: the machine these figures come from runs other builds beside, and
   * wall-clock time would count their turns on the cores too.
   */
  private static long cpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  /** Quantiles of the rows' lengths: how far from a cosine problem this one is. */
  private static String norms(float[] m, int factors) {
    int n = m.length / factors;
    double[] norms = new double[n];
    for (int r = 0; r < n; r++)
      norms[r] = Math.sqrt(FactorRows.dot(m, r * factors, m, r * factors, factors));
    Arrays.sort(norms);
    return String.format(
        Locale.ROOT,
        "p10 %.3f p50 %.3f p90 %.3f p99 %.3f max %.3f",
        norms[n / 10],
        norms[n / 2],
        norms[n * 9 / 10],
        norms[n * 99 / 100],
        norms[n - 1]);
  }

  private static IntPredicate[] filters(int items, int queries, int seen) {
    Random random = new Random(3);
    IntPredicate[] filters = new IntPredicate[queries];
    for (int q = 0; q < queries; q++) {
      int[] ids = random.ints(Math.min(seen, items), 0, items).sorted().distinct().toArray();
      filters[q] = id -> Arrays.binarySearch(ids, id) < 0;
    }
    return filters;
  }

  private static AlsModel movieLens() throws IOException {
    Path ratings =
        Path.of(System.getProperty("freshet.shared.dir", "../shared"), "data", "ml-latest-small")
            .resolve("ratings.csv");
    List<String> lines = Files.readAllLines(ratings);
    Map<String, Integer> users = new HashMap<>(), movies = new HashMap<>();
    int[][] pairs = new int[lines.size() - 1][];
    for (int n = 1; n < lines.size(); n++) {
      String[] f = lines.get(n).split(",");
      pairs[n - 1] =
          new int[] {
            users.computeIfAbsent(f[0], x -> users.size()),
            movies.computeIfAbsent(f[1], x -> movies.size())
          };
    }
    Interactions.Builder b = Interactions.builder(users.size(), movies.size());
    for (int[] p : pairs) b.add(p[0], p[1], 1);
    // the node's defaults (freshet.learning.als)
    return ImplicitAls.train(b.build(), new AlsSettings(64, 15, 30, 2, 42, 2));
  }

  private static Map<String, String> options(String text) {
    Map<String, String> o = new HashMap<>();
    for (String part : text.split(":")) {
      int eq = part.indexOf('=');
      if (eq > 0) o.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    return o;
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
  }
}
