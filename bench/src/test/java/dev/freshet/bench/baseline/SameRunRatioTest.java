package dev.freshet.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SameRunRatioTest {

  @Test
  void readsTheLastResultLineAndDividesFreshetByBaseline(@TempDir Path dir) throws Exception {
    Path freshet = dir.resolve("f.txt");
    Path baseline = dir.resolve("b.txt");
    Files.writeString(
        freshet,
        "running ingest\nRESULT {\"ingest\":{\"impressionsPerS\":1.0}}\n"
            + "RESULT {\"ingest\":{\"impressionsPerS\":13964.2,\"failed\":0,"
            + "\"latencyMs\":{\"p99\":206.4}}}\n");
    Files.writeString(
        baseline,
        "RESULT {\"ingest\":{\"impressionsPerS\":30462,\"failed\":3,"
            + "\"latencyMs\":{\"p99\":84.0}}}\n");
    SameRunRatio.Figures f =
        SameRunRatio.Figures.of(SameRunRatio.result(freshet), "ingest", "impressions");
    SameRunRatio.Figures b =
        SameRunRatio.Figures.of(SameRunRatio.result(baseline), "ingest", "impressions");
    assertEquals(
        "| ingest | 13,964 impressions/s, p99 206 ms | 30,462 impressions/s, p99 84 ms, 3 failed"
            + " | **0.46×** | 2.46× |",
        SameRunRatio.row("ingest", "impressions", f, b));
    assertEquals(
        "| rank | no result | no result | n/a | n/a |",
        SameRunRatio.row(
            "rank",
            "rankings",
            SameRunRatio.Figures.of(SameRunRatio.result(freshet), "rank", "rankings"),
            null));
  }
}
