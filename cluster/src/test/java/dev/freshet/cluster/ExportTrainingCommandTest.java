package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/freshet export-training} against a single node in its default mode (embedded
 * PostgreSQL in its data directory): the command finds the running server, writes a ranking's shown
 * items with the click, and moves the extraction checkpoint.
 */
class ExportTrainingCommandTest {

  @Test
  void exportsTheShownItemsOfARankingWithTheClickFromTheRunningNodesDatabase() throws Exception {
    Path dataDir = TestNodes.tempDir("freshet-export");
    var config =
        TestNodes.config(
            Map.of(
                "freshet.data-dir", dataDir.toString(), "freshet.export.attribution-window", "0s"));
    FreshetNode node = FreshetNode.start(config, Optional.empty());
    try {
      Api api = new Api(node);
      assertThat(api.post("/v1/items", Api.items("x-", 30, 3, "active")).status()).isEqualTo(200);
      Api.Response ranking = api.get("/v1/users/trainee/recommendations?k=4");
      String rankingId = ranking.body().path("rankingId").asText();
      String variant = ranking.body().path("variant").asText();
      List<String> shown = Api.rankedIds(ranking);
      List<String> quoted = new ArrayList<>();
      shown.forEach(id -> quoted.add("\"" + id + "\""));
      assertThat(
              api.post(
                      "/v1/impressions",
                      "{\"userId\":\"trainee\",\"itemIds\":["
                          + String.join(",", quoted)
                          + "],\"rankingId\":\""
                          + rankingId
                          + "\",\"positions\":[1,2,3,4]}")
                  .status())
          .isEqualTo(202);
      assertThat(
              api.post(
                      "/v1/events",
                      "{\"events\":[{\"type\":\"click\",\"userId\":\"trainee\",\"itemId\":\""
                          + shown.get(1)
                          + "\",\"rankingId\":\""
                          + rankingId
                          + "\",\"position\":2,\"intent\":\"browse\"}]}")
                  .status())
          .isEqualTo(202);
      ReadModelTables tables = new ReadModelTables(node.database().settings().url());
      tables.awaitCaughtUp(Duration.ofSeconds(30));
      Shards.awaitTrue(
          "the ranking event written behind",
          Duration.ofSeconds(30),
          () ->
              tables.count(
                      "SELECT count(*) FROM ranking_events WHERE ranking_id = '" + rankingId + "'")
                  == 1);

      Path out = dataDir.resolve("training.csv");
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      int exit =
          ExportTrainingCommand.run(
              new String[] {"--since", "2020-01-01", "--out", out.toString()},
              config,
              new PrintStream(printed, true, StandardCharsets.UTF_8),
              System.err);

      assertThat(exit).isZero();
      List<String> lines = Files.readAllLines(out);
      assertThat(lines.get(0))
          .isEqualTo(
              "user_id,ranking_id,variant,item_id,position,shown_at,clicked,intent,propensity,weight");
      assertThat(lines).hasSize(5);
      for (int p = 1; p <= 4; p++) {
        String[] f = lines.get(p).split(",");
        assertThat(f[0]).isEqualTo("trainee");
        assertThat(f[1]).isEqualTo(rankingId);
        assertThat(f[2]).isEqualTo(variant);
        assertThat(f[3]).isEqualTo(shown.get(p - 1));
        assertThat(f[4]).isEqualTo(String.valueOf(p));
        assertThat(f[6]).isEqualTo(p == 2 ? "1" : "0");
        assertThat(f[7]).isEqualTo(p == 2 ? "browse" : "");
        // position 1 has no click, so there is no reference CTR: every weight is 1
        assertThat(f[8]).isEqualTo("1");
        assertThat(f[9]).isEqualTo("1");
      }
      assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Wrote 4 rows (1 clicked)");
      assertThat(
              tables.count(
                  "SELECT count(*) FROM extraction_checkpoints WHERE consumer = 'training-export'"))
          .isEqualTo(1);

      ByteArrayOutputStream usage = new ByteArrayOutputStream();
      assertThat(
              ExportTrainingCommand.run(
                  new String[] {"--since", "yesterday", "--out", "x"},
                  config,
                  System.out,
                  new PrintStream(usage, true, StandardCharsets.UTF_8)))
          .isEqualTo(2);
      assertThat(usage.toString(StandardCharsets.UTF_8)).contains("--since");
    } finally {
      node.stop();
    }
  }
}
