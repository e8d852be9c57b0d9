package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {

  @Test
  void aRowPerBeamWidthAndTheFailureOfALibrary() {
    ComparisonOptions o = ComparisonOptions.parse("--ef", "100,200");
    SearchRun run = new SearchRun(1234.4, 1500, 0.98765, 100, 100, 0);
    SearchRun shrunk = new SearchRun(999, 1001, 0.5, 60.5, 3, 0);
    LibraryResult ok =
        new LibraryResult(
            "lib-a",
            "M 16",
            "in-graph",
            12.34,
            20.0,
            321.4,
            -1,
            List.of(
                new LibraryResult.EfResult(100, run, List.of(run, shrunk), List.of(1.0, 2.5)),
                new LibraryResult.EfResult(200, run, List.of(run, run), List.of(1.0, 1.0))),
            null);
    LibraryResult oom =
        new LibraryResult(
            "lib-b", "M 16", "over-fetch", -1, -1, -1, -1, List.of(), "out of memory during build");
    String table = ResultTable.markdown(o, 50.0, List.of(ok, oom));
    assertTrue(
        table.contains(
            "| lib-a | 100 | 12.3 (20.0) | 321 | – | 1,234 (1,500) | 0.9877 | 0.9877 | 100.0 / 100 |"
                + " 1,234 (1,500) | 0.5000 | 60.5 / 3 | 999 (1,001) (2.50 searches/query) |"),
        table);
    assertTrue(table.contains("| lib-a | 200 |"), table);
    assertTrue(table.contains("| lib-b | – | – | out of memory during build |"), table);
    assertTrue(table.contains("| exact (brute force, 1 thread) | – | – | – | – | 50 |"), table);
    assertTrue(table.contains("- lib-b: M 16; filter: over-fetch"), table);
  }
}
