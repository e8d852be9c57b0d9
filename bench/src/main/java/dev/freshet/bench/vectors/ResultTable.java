package dev.freshet.bench.vectors;

import java.util.List;
import java.util.Locale;

/** Formats the comparison as a markdown table, followed by each library's parameters. */
final class ResultTable {

  private ResultTable() {}

  static String markdown(ComparisonOptions o, double exactQps, List<LibraryResult> results) {
    StringBuilder out = new StringBuilder();
    int k = o.k();
    StringBuilder header =
        new StringBuilder(
            "| library | ef | build s (CPU s) | heap B/item | library's estimate B/item | QPS"
                + " (per CPU s) | recall@"
                + k
                + " |");
    StringBuilder rule = new StringBuilder("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (double f : o.excluded()) {
      String pct = percent(f);
      header.append(
          String.format(
              " recall@%d, %s excl. | results mean / min, %s excl. | QPS (per CPU s), %s excl. |",
              k, pct, pct, pct));
      rule.append(" ---: | ---: | ---: |");
    }
    out.append(header).append('\n').append(rule).append('\n');
    out.append("| exact (brute force, 1 thread) | – | – | – | – | ")
        .append(fmt("%,.0f", exactQps))
        .append(" | 1.0000 |");
    for (int i = 0; i < o.excluded().size(); i++) {
      out.append(" 1.0000 | ").append(k).append(" / ").append(k).append(" | – |");
    }
    out.append('\n');
    for (LibraryResult r : results) {
      if (r.efs().isEmpty()) {
        out.append("| ").append(r.name()).append(" | – | ");
        out.append(r.buildSeconds() < 0 ? "–" : fmt("%.1f", r.buildSeconds()));
        out.append(" | ").append(r.failure()).append(" |\n");
        continue;
      }
      for (LibraryResult.EfResult e : r.efs()) {
        out.append("| ").append(r.name()).append(" | ").append(e.ef()).append(" | ");
        out.append(fmt("%.1f (%.1f)", r.buildSeconds(), r.buildCpuSeconds())).append(" | ");
        out.append(fmt("%,.0f", r.heapBytesPerItem())).append(" | ");
        out.append(r.libraryBytesPerItem() < 0 ? "–" : fmt("%,.0f", r.libraryBytesPerItem()));
        out.append(" | ").append(qps(e.all()));
        out.append(" | ").append(fmt("%.4f", e.all().recall())).append(" |");
        for (int i = 0; i < e.filtered().size(); i++) {
          SearchRun f = e.filtered().get(i);
          out.append(' ').append(fmt("%.4f", f.recall())).append(" | ");
          out.append(fmt("%.1f", f.meanResults())).append(" / ").append(f.minResults());
          if (f.violations() > 0) {
            out.append(" (").append(f.violations()).append(" excluded or duplicate!)");
          }
          out.append(" | ").append(qps(f));
          double searches = e.searchesPerFilteredQuery().get(i);
          if (searches > 1.0) {
            out.append(fmt(" (%.2f searches/query)", searches));
          }
          out.append(" |");
        }
        out.append('\n');
      }
      if (r.failure() != null) {
        out.append("| ").append(r.name()).append(" | – | – | ").append(r.failure()).append(" |\n");
      }
    }
    out.append('\n');
    out.append("Parameters and filtering (similarity: dot product of unit vectors):\n");
    for (LibraryResult r : results) {
      out.append("- ").append(r.name()).append(": ").append(r.parameters());
      out.append("; filter: ").append(r.filtering()).append('\n');
    }
    out.append(
        "\nbuild s: single build of the index with --build-threads "
            + o.buildThreads()
            + "; heap B/item: live heap added by the built index (after full GCs) per item,"
            + " without the item vectors, which the caller holds ("
            + (4 * o.dim() + 16)
            + " B each); QPS (per CPU s): one thread, median of the measured passes, by the wall clock"
            + " (by the searching thread's CPU time, which waiting for a shared core does not"
            + " inflate); results mean / min: how many"
            + " results came back per query (k = "
            + k
            + " expected).\n");
    return out.toString();
  }

  private static String qps(SearchRun run) {
    return fmt("%,.0f (%,.0f)", run.qps(), run.cpuQps());
  }

  private static String percent(double f) {
    return fmt("%.0f %%", f * 100);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
