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
    ComparisonOptions d = defaults();
    int items = d.items, dim = d.dim, queries = d.queries, clusters = d.clusters, k = d.k;
    int m = d.m, efConstruction = d.efConstruction, buildThreads = d.buildThreads;
    List<Integer> efs = d.efs;
    List<Double> excluded = d.excluded;
    List<String> libraries = d.libraries;
    long seed = d.seed;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        throw new IllegalArgumentException("help");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + name);
      }
      String v = args[++i];
      switch (name) {
        case "--items" -> items = positive(name, v);
        case "--dim" -> dim = positive(name, v);
        case "--queries" -> queries = positive(name, v);
        case "--clusters" -> clusters = positive(name, v);
        case "--k" -> k = positive(name, v);
        case "--m" -> m = positive(name, v);
        case "--ef-construction" -> efConstruction = positive(name, v);
        case "--ef" -> efs = ints(name, v);
        case "--exclude" -> excluded = fractions(name, v);
        case "--libraries" -> libraries = libraries(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--build-threads" -> buildThreads = positive(name, v);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if (k > items) {
      throw new IllegalArgumentException("--k " + k + " is more than --items " + items);
    }
    for (int ef : efs) {
      if (ef < k) {
        throw new IllegalArgumentException("--ef " + ef + " is less than --k " + k);
      }
    }
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
