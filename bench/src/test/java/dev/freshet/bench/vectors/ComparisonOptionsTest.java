package dev.freshet.bench.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonOptionsTest {

  @Test
  void defaultsAreTheIssuesFirstSize() {
    ComparisonOptions o = ComparisonOptions.parse();
    assertEquals(100_000, o.items());
    assertEquals(64, o.dim());
    assertEquals(1_000, o.queries());
    assertEquals(100, o.k());
    assertEquals(16, o.m());
    assertEquals(100, o.efConstruction());
    assertEquals(List.of(0.1, 0.5), o.excluded());
    assertEquals(List.of("jvector", "hnswlib", "lucene"), o.libraries());
  }

  @Test
  void optionsOverrideDefaults() {
    ComparisonOptions o =
        ComparisonOptions.parse(
            "--items",
            "1_000_000",
            "--dim",
            "32",
            "--queries",
            "200",
            "--libraries",
            "Lucene,jvector",
            "--seed",
            "7",
            "--ef",
            "100,300",
            "--exclude",
            "0.2",
            "--build-threads",
            "2");
    assertEquals(1_000_000, o.items());
    assertEquals(32, o.dim());
    assertEquals(200, o.queries());
    assertEquals(List.of("lucene", "jvector"), o.libraries());
    assertEquals(7, o.seed());
    assertEquals(List.of(100, 300), o.efs());
    assertEquals(List.of(0.2), o.excluded());
    assertEquals(2, o.buildThreads());
  }

  @Test
  void rejectsWhatCannotRun() {
    assertThrows(IllegalArgumentException.class, () -> ComparisonOptions.parse("--items"));
    assertThrows(IllegalArgumentException.class, () -> ComparisonOptions.parse("--foo", "1"));
    assertThrows(IllegalArgumentException.class, () -> ComparisonOptions.parse("--items", "0"));
    assertThrows(IllegalArgumentException.class, () -> ComparisonOptions.parse("--ef", "50"));
    assertThrows(IllegalArgumentException.class, () -> ComparisonOptions.parse("--exclude", "1"));
    assertThrows(
        IllegalArgumentException.class, () -> ComparisonOptions.parse("--libraries", "faiss"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ComparisonOptions.parse("--items", "50", "--k", "100"));
  }

  @Test
  void eachLibraryHasAnAdapter() {
    ComparisonOptions o = ComparisonOptions.defaults();
    for (String library : ComparisonOptions.ALL_LIBRARIES) {
      String name = o.newIndex(library).name();
      assertTrue(name.toLowerCase().startsWith(library), name);
    }
  }
}
