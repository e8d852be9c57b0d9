package dev.freshet.cluster.importer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.persistence.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImportBatchesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eventsGoInEventTimeOrderAndEventsOfOneTimeInFileOrder() throws Exception {
    List<ImportRow> rows =
        List.of(row(1, 300, "a"), row(2, 100, "b"), row(3, 300, "c"), row(4, 100, "d"));
    List<ImportBatches.Batch> batches = list(ImportBatches.events(rows, 1_000));
    assertThat(batches).hasSize(1);
    assertThat(batches.get(0).lines()).containsExactly(2, 4, 1, 3);
    JsonNode body = JSON.readTree(batches.get(0).body());
    assertThat(body.path("events").findValuesAsText("userId")).containsExactly("b", "d", "a", "c");
  }

  @Test
  void batchesAreAsFullAsTheApiAllowsInRowsAndBytes() throws Exception {
    List<ImportRow> rows = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) rows.add(row(i + 1, i, "user-" + i));
    List<ImportBatches.Batch> byCount = list(ImportBatches.events(rows, 1_000));
    assertThat(byCount).extracting(ImportBatches.Batch::size).containsExactly(1_000, 1_000, 500);

    List<ImportRow> large = new ArrayList<>();
    for (int i = 0; i < 600; i++) large.add(row(i + 1, i, "u".repeat(120) + i));
    List<ImportBatches.Batch> byBytes = list(ImportBatches.events(large, 1_000));
    assertThat(byBytes).hasSizeGreaterThan(1);
    for (ImportBatches.Batch b : byBytes) {
      assertThat(b.body().length).isLessThanOrEqualTo(ImportBatches.MAX_EVENTS_BYTES);
      assertThat(JSON.readTree(b.body()).path("events").size()).isEqualTo(b.size());
    }
    // as full as allowed: the next row would not have fitted
    ImportBatches.Batch first = byBytes.get(0);
    assertThat(first.body().length + 1 + large.get(first.size()).json().length)
        .isGreaterThan(ImportBatches.MAX_EVENTS_BYTES);
    assertThat(byBytes.stream().mapToInt(ImportBatches.Batch::size).sum()).isEqualTo(600);
  }

  @Test
  void theSameRowsMakeTheSameBatchesUnderKeysOfTheirContent() {
    List<ImportRow> rows = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) rows.add(row(i + 1, 1_500 - i, "user-" + i));
    List<ImportBatches.Batch> once = list(ImportBatches.events(rows, 1_000));
    List<ImportBatches.Batch> again = list(ImportBatches.events(new ArrayList<>(rows), 1_000));
    assertThat(again)
        .extracting(ImportBatches.Batch::key)
        .containsExactlyElementsOf(once.stream().map(ImportBatches.Batch::key).toList());
    for (ImportBatches.Batch b : once) {
      assertThat(b.key()).isEqualTo("import-" + Hashes.sha256(b.body()));
    }
    assertThat(once.get(0).key()).isNotEqualTo(once.get(1).key());
  }

  private static ImportRow row(long line, long at, String user) {
    String json =
        "{\"type\":\"like\",\"userId\":\"" + user + "\",\"itemId\":\"i\",\"ts\":" + at + "}";
    return new ImportRow(line, at, json.getBytes(StandardCharsets.UTF_8));
  }

  private static List<ImportBatches.Batch> list(ImportBatches batches) {
    List<ImportBatches.Batch> all = new ArrayList<>();
    batches.forEach(all::add);
    return all;
  }
}
