package dev.freshet.bench.footprint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The footprint benchmark runs end to end in a tiny configuration; its figures mean nothing here.
 */
class FootprintSmokeTest {

  @Test
  void runsInATinyConfiguration() throws Exception {
    EntityFootprint.Options tiny =
        new EntityFootprint.Options(20, 200, 20, 2, 400, 100, 5, 10, 2, 8, 10, 1000, 0, 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    EntityFootprint.Result result =
        EntityFootprint.run(tiny, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String report = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(result.heapBytesPerUser() > 0, report);
    assertEquals(4, result.recovery().size(), report);
    for (EntityFootprint.Latencies group : result.recovery()) {
      assertTrue(group.p50() > 0 && group.p99() >= group.p50(), report);
      assertTrue(group.journalRows() > 0, report);
      // a snapshot every 10 events: the 400-seen users (21 events) have them unless deleted
      assertEquals(group.snapshot() && group.journalRows() >= 10, group.snapshotRows() > 0, report);
    }
    assertTrue(report.contains("RESULT heapPerUser="), report);
  }
}
