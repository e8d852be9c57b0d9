package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/freshet import} against a real node over a real socket, with keys on: files land in
 * the user entities and journal, a re-run changes nothing, bad rows stop it before anything is
 * sent, and old history needs a wider time window on both sides.
 */
class ImportCommandTest {

  private static final String ADMIN_KEY = "import-test-admin-key-0123456789abcdef";

  /** The node accepts history from 1998 on; this command's own default is 2000. */
  private static final String NODE_EARLIEST = "1998-01-01T00:00:00Z";

  private static TestNodes.Standalone standalone;
  private static Api api;

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  @BeforeAll
  static void start() {
    standalone =
        TestNodes.standalone(
            Map.of(
                "freshet.auth.enabled", "on",
                "freshet.auth.admin-key", ADMIN_KEY,
                "freshet.http.time-window.earliest", NODE_EARLIEST));
    api = new Api(standalone.node()).withKey(ADMIN_KEY);
  }

  @AfterAll
  static void stop() {
    standalone.close();
  }

  @Test
  void loadsItemsThenEventsInEventTimeOrderAndARerunChangesNothing() throws IOException {
    Path items =
        file(
            "items.jsonl",
            item("imp-0"),
            item("imp-1"),
            item("imp-2"),
            item("imp-3"),
            "",
            item("imp-4"));
    // in the file newest first: the import sends them oldest first
    Path events =
        file(
            "events.csv",
            "userId,itemId,type,ts,intent",
            "hist-a,imp-1,like,2026-11-20T10:00:02Z,",
            "hist-a,imp-0,click,2026-11-20T10:00:01Z,",
            "hist-b,imp-2,skip,1763632800000,not_interested");
    String[] args = {
      "--items", items.toString(), "--events", events.toString(), "--batch-size", "2"
    };

    Run first = run(args);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("5 rows of " + items + ": 5 upserted now, 0 imported before (0 of 1 batches)")
        .contains("3 rows of " + events + ": 3 accepted now, 0 imported before (0 of 2 batches)")
        .contains("events/s")
        .contains("bad rows:   0");
    assertThat(first.err()).contains("events 3 of 3 (100.0 %)");

    // the events reached the users' entities: seen, counted, left out of rankings
    JsonNode a = api.get("/v1/users/hist-a/state").body();
    assertThat(a.path("seen").asInt()).isEqualTo(2);
    assertThat(a.path("features").path("interactions").path("like").asInt()).isEqualTo(1);
    assertThat(a.path("features").path("interactions").path("click").asInt()).isEqualTo(1);
    assertThat(
            api.get("/v1/users/hist-b/state")
                .body()
                .path("features")
                .path("intents")
                .path("not_interested")
                .asInt())
        .isEqualTo(1);
    assertThat(recommended("hist-a")).contains("imp-2", "imp-3").doesNotContain("imp-0", "imp-1");
    // in event-time order: hist-b's skip and hist-a's click made the first batch, the like the next
    List<Interaction> journaled = interactions("hist-a");
    assertThat(journaled)
        .extracting(Interaction::type)
        .containsExactly(InteractionType.CLICK, InteractionType.LIKE);
    int journaledA = Journal.events(standalone.node().system(), "hist-a").size();
    int journaledB = Journal.events(standalone.node().system(), "hist-b").size();

    Run again = run(args);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out())
        .contains("0 upserted now, 5 imported before (1 of 1 batches)")
        .contains("0 accepted now, 3 imported before (2 of 2 batches)");
    assertThat(Journal.events(standalone.node().system(), "hist-a")).hasSize(journaledA);
    assertThat(Journal.events(standalone.node().system(), "hist-b")).hasSize(journaledB);
    assertThat(api.get("/v1/users/hist-a/state").body().path("features").path("interactions"))
        .isEqualTo(a.path("features").path("interactions"));
  }

  @Test
  void movieLensFilesAndJsonLinesImportToo() throws IOException {
    Path movies =
        file(
            "movies.csv",
            "movieId,title,genres",
            "1,Toy Story (1995),Adventure|Animation",
            "2,\"American President, The (1995)\",Comedy|Drama");
    Path ratings =
        file(
            "ratings.csv",
            "userId,movieId,rating,timestamp",
            "7001,1,4.5,1600000000",
            "7001,2,2.0,1600000100");
    Run run = run("--items", movies.toString(), "--events", ratings.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).contains("MovieLens movies").contains("MovieLens ratings");
    assertThat(api.get("/v1/items/ml-2").body().path("attributes").path("title").asText())
        .isEqualTo("American President, The (1995)");
    JsonNode counts = api.get("/v1/users/7001/state").body().path("features").path("interactions");
    assertThat(counts.path("like").asInt()).isEqualTo(1);
    assertThat(counts.path("dislike").asInt()).isEqualTo(1);

    Path lines =
        file(
            "events.ndjson",
            "{\"type\":\"dwell\",\"userId\":\"hist-j\",\"itemId\":\"ml-1\",\"value\":42000,"
                + "\"ts\":\"2026-11-20T10:00:00Z\"}");
    Run jsonl = run("--events", lines.toString());
    assertThat(jsonl.exit()).as(jsonl.err()).isZero();
    assertThat(
            api.get("/v1/users/hist-j/state")
                .body()
                .path("features")
                .path("dwell")
                .path("meanMillis")
                .asLong())
        .isEqualTo(42_000);
  }

  @Test
  void aBadRowIsNamedByItsLineAndNothingIsSentUnlessTheRestIsAskedFor() throws IOException {
    api.post("/v1/items", Api.items("bad-", 2, 1, "active"));
    Path events =
        file(
            "events.csv",
            "userId,itemId,type,ts",
            "hist-bad,bad-0,like,2026-11-20T10:00:00Z",
            "hist-bad,bad-1,clack,2026-11-20T10:00:01Z",
            "hist-bad,bad-1,like,yesterday");

    Run refused = run("--events", events.toString());
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err())
        .contains(
            events + ":3: type \"clack\" must be one of impression, click, like, dislike, skip,")
        .contains(
            events + ":4: ts \"yesterday\" must be an ISO-8601 timestamp or epoch milliseconds")
        .contains("2 bad rows; nothing was sent");
    assertThat(Journal.events(standalone.node().system(), "hist-bad")).isEmpty();

    Run rest = run("--events", events.toString(), "--skip-bad");
    assertThat(rest.exit()).as(rest.err()).isZero();
    assertThat(rest.out()).contains("1 accepted now").contains("bad rows:   2 (left out");
    assertThat(Journal.events(standalone.node().system(), "hist-bad")).hasSize(1);
  }

  @Test
  void historyBeforeTheWindowIsRefusedUnlessBothSidesWidenIt() throws IOException {
    api.post("/v1/items", Api.items("old-", 1, 1, "active"));
    Path from1999 =
        file("1999.csv", "userId,itemId,type,ts", "hist-old,old-0,like,1999-06-01T00:00:00Z");

    // this command's window starts in 2000: refused here, with how to widen it
    Run here = run("--events", from1999.toString());
    assertThat(here.exit()).isEqualTo(2);
    assertThat(here.err())
        .contains(
            from1999
                + ":2: ts \"1999-06-01T00:00:00Z\" is before 2000-01-01T00:00:00Z, the earliest"
                + " time accepted")
        .contains("FRESHET_EARLIEST_EVENT_TIME");
    assertThat(Journal.events(standalone.node().system(), "hist-old")).isEmpty();

    // widened here (as FRESHET_EARLIEST_EVENT_TIME would): the node, widened to 1998, takes 1999
    Config widened =
        ConfigFactory.parseMap(Map.of("freshet.http.time-window.earliest", "1995-01-01T00:00:00Z"))
            .withFallback(ConfigFactory.load());
    Run accepted = run(widened, "--events", from1999.toString());
    assertThat(accepted.exit()).as(accepted.err()).isZero();
    assertThat(Journal.events(standalone.node().system(), "hist-old")).hasSize(1);

    // but not 1996: the node's own refusal, told by the line, with the same advice
    Path from1996 =
        file(
            "1996.csv",
            "userId,itemId,type,ts",
            "hist-older,old-0,like,2026-11-20T10:00:00Z",
            "hist-older,old-0,click,820454400000");
    Run node = run(widened, "--events", from1996.toString(), "--batch-size", "1");
    assertThat(node.exit()).isEqualTo(1);
    assertThat(node.err())
        .contains(
            from1996
                + ":3: ts \"820454400000\" (1996-01-01T00:00:00Z) is before "
                + NODE_EARLIEST
                + ", the earliest time accepted (the node refused it: 400 invalid_field).")
        .contains("FRESHET_EARLIEST_EVENT_TIME")
        .contains("Nothing of this file was imported.");
    assertThat(Journal.events(standalone.node().system(), "hist-older")).isEmpty();
  }

  private static String item(String id) {
    return "{\"id\":\""
        + id
        + "\",\"category\":\"imports\",\"createdAt\":\"2026-11-01T00:00:00Z\",\"tags\":[\"t\"]}";
  }

  private static List<String> recommended(String user) {
    List<String> ids = new ArrayList<>();
    api.get("/v1/users/" + user + "/recommendations?k=10&category=imports")
        .body()
        .path("items")
        .forEach(i -> ids.add(i.path("id").asText()));
    return ids;
  }

  private static List<Interaction> interactions(String user) {
    List<Interaction> all = new ArrayList<>();
    for (UserEntity.Event e : Journal.events(standalone.node().system(), user)) {
      if (e instanceof UserEntity.InteractionsRecorded recorded)
        all.addAll(recorded.interactions());
    }
    return all;
  }

  private Path file(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
  }

  private static Run run(String... args) {
    return run(ConfigFactory.load(), args);
  }

  private static Run run(Config config, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--url";
    all[1] = "http://127.0.0.1:" + standalone.node().httpPort();
    System.arraycopy(args, 0, all, 2, args.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit =
        ImportCommand.run(
            all,
            Map.of("FRESHET_API_KEY", ADMIN_KEY),
            config,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
