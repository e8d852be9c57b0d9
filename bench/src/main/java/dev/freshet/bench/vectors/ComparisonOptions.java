package dev.freshet.bench.vectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line of {@link IndexComparison}, with defaults that finish in minutes on 2 cores. */
public record ComparisonOptions(
    int items,
    int dim,
    int queries,
    int clusters,
    int k,
    int m,
    int efConstruction,
    List<Integer> efs,
    List<Double> excluded,
    List<String> libraries,
    long seed,
    int buildThreads) {

  static final List<String> ALL_LIBRARIES = List.of("jvector", "hnswlib", "lucene");

  static final String USAGE =
      String.join(
          "\n",
          "usage: IndexComparison [--items N] [--dim D] [--queries Q] [--libraries a,b,c]",
          "                       [--seed S] [--clusters C] [--k K] [--m M] [--ef-construction E]",
          "                       [--ef e1,e2,...] [--exclude f1,f2] [--build-threads T]",
          "  --items 100000  --dim 64  --queries 1000  --libraries jvector,hnswlib,lucene",
          "  --seed 42  --clusters 100  --k 100  --m 16  --ef-construction 100",
          "  --ef 100,200,400 (search beams, each >= k)  --exclude 0.1,0.5  --build-threads 1");

  static ComparisonOptions defaults() {
    return new ComparisonOptions(
        100_000,
        64,
        1_000,
        100,
        100,
        16,
        100,
        List.of(100, 200, 400),
        List.of(0.1, 0.5),
        ALL_LIBRARIES,
        42,
        1);
  }

  /** Parses {@code --name value} pairs; throws {@link IllegalArgumentException} with the reason. */
  static ComparisonOptions parse(String... args) {
    ComparisonOptions o = defaults();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        throw new IllegalArgumentException("help");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + name);
      }
      String v = args[++i];
      o =
          switch (name) {
            case "--items" -> o.with(positive(name, v), o.dim, o.queries, o.clusters, o.k);
            case "--dim" -> o.with(o.items, positive(name, v), o.queries, o.clusters, o.k);
            case "--queries" -> o.with(o.items, o.dim, positive(name, v), o.clusters, o.k);
            case "--clusters" -> o.with(o.items, o.dim, o.queries, positive(name, v), o.k);
            case "--k" -> o.with(o.items, o.dim, o.queries, o.clusters, positive(name, v));
            case "--m" -> o.graph(positive(name, v), o.efConstruction, o.efs);
            case "--ef-construction" -> o.graph(o.m, positive(name, v), o.efs);
            case "--ef" -> o.graph(o.m, o.efConstruction, ints(name, v));
            case "--exclude" -> o.run(fractions(name, v), o.libraries, o.seed, o.buildThreads);
            case "--libraries" -> o.run(o.excluded, libraries(v), o.seed, o.buildThreads);
            case "--seed" -> o.run(o.excluded, o.libraries, Long.parseLong(v), o.buildThreads);
            case "--build-threads" -> o.run(o.excluded, o.libraries, o.seed, positive(name, v));
            default -> throw new IllegalArgumentException("unknown option " + name);
          };
    }
    if (o.k > o.items) {
      throw new IllegalArgumentException("--k " + o.k + " is more than --items " + o.items);
    }
    for (int ef : o.efs) {
      if (ef < o.k) {
        throw new IllegalArgumentException("--ef " + ef + " is less than --k " + o.k);
      }
    }
    return o;
  }

  private ComparisonOptions with(int items, int dim, int queries, int clusters, int k) {
    return new ComparisonOptions(
        items,
        dim,
        queries,
        clusters,
        k,
        m,
        efConstruction,
        efs,
        excluded,
        libraries,
        seed,
        buildThreads);
  }

  private ComparisonOptions graph(int m, int efConstruction, List<Integer> efs) {
    return new ComparisonOptions(
        items,
        dim,
        queries,
        clusters,
        k,
        m,
        efConstruction,
        efs,
        excluded,
        libraries,
        seed,
        buildThreads);
  }

  private ComparisonOptions run(
      List<Double> excluded, List<String> libraries, long seed, int buildThreads) {
    return new ComparisonOptions(
        items,
        dim,
        queries,
        clusters,
        k,
        m,
        efConstruction,
        efs,
        excluded,
        libraries,
        seed,
        buildThreads);
  }

  private static int positive(String name, String v) {
    int n = Integer.parseInt(v.replace("_", "").replace(",", ""));
    if (n <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + v);
    }
    return n;
  }

  private static List<Integer> ints(String name, String v) {
    List<Integer> out = new ArrayList<>();
    for (String s : v.split(",")) {
      out.add(positive(name, s.trim()));
    }
    return List.copyOf(out);
  }

  private static List<Double> fractions(String name, String v) {
    List<Double> out = new ArrayList<>();
    for (String s : v.split(",")) {
      double f = Double.parseDouble(s.trim());
      if (!(f > 0 && f < 1)) {
        throw new IllegalArgumentException(name + " fractions must be in (0, 1): " + s);
      }
      out.add(f);
    }
    return List.copyOf(out);
  }

  private static List<String> libraries(String v) {
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      String name = s.trim().toLowerCase();
      if (!ALL_LIBRARIES.contains(name)) {
        throw new IllegalArgumentException(
            "unknown library " + s + " (known: " + String.join(",", ALL_LIBRARIES) + ")");
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  /** The index for a library name of {@link #ALL_LIBRARIES}. */
  AnnIndex newIndex(String library) {
    return switch (library) {
      case "jvector" -> new JVectorIndex(m, efConstruction);
      case "hnswlib" -> new HnswlibIndex(m, efConstruction);
      case "lucene" -> new LuceneHnswIndex(m, efConstruction, seed);
      default -> throw new IllegalArgumentException(library);
    };
  }

  @Override
  public String toString() {
    return "items "
        + items
        + ", dim "
        + dim
        + ", queries "
        + queries
        + ", clusters "
        + clusters
        + ", k "
        + k
        + ", M "
        + m
        + ", efConstruction "
        + efConstruction
        + ", ef "
        + efs
        + ", excluded "
        + Arrays.toString(excluded.stream().mapToDouble(d -> d).toArray())
        + ", seed "
        + seed
        + ", build threads "
        + buildThreads;
  }
}
