package dev.freshet.cluster.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.TimeWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and checking input files, without a node: formats, mappings and bad rows by line. */
class ImportFileTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NOW = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();
  private static final RowCheck CHECK =
      new RowCheck(
          new TimeWindow(Instant.parse("2000-01-01T00:00:00Z"), Duration.ofMinutes(5)), 4, NOW);

  @TempDir Path dir;

  @Test
  void eventsCsvTakesColumnsByNameAndTimesAsIsoOrEpochMilliseconds() throws Exception {
    ImportFile file =
        events(
            "events.csv",
            "ts,type,userId,itemId,position,rankingId",
            "2026-11-30T10:00:00Z,click,alice,a-1,3,r-1",
            "",
            "1796032800000,like,bob,a-2,,");
    assertThat(file.bad()).isZero();
    assertThat(file.format()).isEqualTo("CSV");
    assertThat(file.rows()).extracting(ImportRow::line).containsExactly(2L, 4L);
    assertThat(json(file.rows().get(0)))
        .isEqualTo(
            JSON.readTree(
                "{\"ts\":1796032800000,\"type\":\"click\",\"userId\":\"alice\",\"itemId\":\"a-1\","
                    + "\"position\":3,\"rankingId\":\"r-1\"}"));
    assertThat(file.rows().get(1).at()).isEqualTo(1796032800000L);
    assertThat(json(file.rows().get(1)).has("position")).as("an empty cell is absent").isFalse();
  }

  @Test
  void aBadRowNamesItsLineItsColumnAndItsValue() throws Exception {
    ImportFile file =
        events(
            "events.csv",
            "userId,itemId,type,ts",
            "alice,a-1,click,abc",
            "alice,a-1,clack,2026-11-30T10:00:00Z",
            "alice,a 1,click,2026-11-30T10:00:00Z",
            "alice,a-1,click",
            "alice,a-1,click,",
            "alice,a-1,click,2026-11-30T10:00:00Z");
    assertThat(file.rows()).hasSize(1);
    assertThat(file.bad()).isEqualTo(5);
    assertThat(file.firstBad())
        .extracting(BadRow::toString)
        .containsExactly(
            path("events.csv")
                + ":2: ts \"abc\" must be an ISO-8601 timestamp or epoch milliseconds",
            path("events.csv")
                + ":3: type \"clack\" must be one of impression, click, like, dislike, skip,"
                + " favorite, share, purchase, dwell",
            path("events.csv") + ":4: itemId \"a 1\" must be 1-128 characters of [A-Za-z0-9._:@-]",
            path("events.csv") + ":5: has 3 fields; the header has 4 columns",
            path("events.csv") + ":6: ts is required: history needs each event's time");
  }

  @Test
  void aHeaderWithoutARequiredColumnOrWithAnUnknownOneMakesTheFileUnreadable() {
    assertThatThrownBy(() -> events("e.csv", "userId,itemId,type", "alice,a-1,click"))
        .isInstanceOf(ImportFile.Unreadable.class)
        .hasMessage(path("e.csv") + ":1: the header lacks column \"ts\"");
    assertThatThrownBy(() -> events("e.csv", "userId,itemId,type,ts,when", "a,b,click,1,2"))
        .isInstanceOf(ImportFile.Unreadable.class)
        .hasMessageContaining("unknown column \"when\"; the columns are userId,itemId,type,ts,");
    assertThatThrownBy(() -> events("e.txt", "userId,itemId,type,ts"))
        .isInstanceOf(ImportFile.Unreadable.class)
        .hasMessageContaining("pass --format csv or --format jsonl");
  }

  @Test
  void movieLensRatingsMapRatingsToInteractionsAndSecondsToMilliseconds() throws Exception {
    ImportFile file =
        events(
            "ratings.csv",
            "userId,movieId,rating,timestamp",
            "1,31,4.0,1260759144",
            "1,1029,3.5,1260759179",
            "1,1061,3.0,1260759182",
            "1,1129,2.5,1260759185");
    assertThat(file.format()).startsWith("MovieLens ratings");
    assertThat(file.rows())
        .extracting(r -> json(r).path("type").asText())
        .containsExactly("like", "click", "click", "dislike");
    assertThat(json(file.rows().get(0)))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"like\",\"userId\":\"1\",\"itemId\":\"ml-31\",\"ts\":1260759144000}"));
  }

  @Test
  void historyBeforeTheWindowIsToldWithItsInstantAndHowToWidenTheWindow() throws Exception {
    ImportFile file =
        events("ratings.csv", "userId,movieId,rating,timestamp", "1,1,4.0,838985046", "1,x,4,y");
    assertThat(file.firstBad())
        .extracting(BadRow::message)
        .containsExactly(
            "timestamp \"838985046\" (1996-08-02T11:24:06Z) is before 2000-01-01T00:00:00Z, the"
                + " earliest time accepted",
            "timestamp \"y\" is not a whole number of epoch seconds");
    assertThat(Refusals.hint(file.firstBad().get(0).message()))
        .hasValueSatisfying(hint -> assertThat(hint).startsWith("FRESHET_EARLIEST_EVENT_TIME"));
  }

  @Test
  void jsonLinesAreTheApisEventObjectsWithTheirTimesInMilliseconds() throws Exception {
    ImportFile file =
        events(
            "events.jsonl",
            "{\"type\":\"dwell\",\"userId\":\"u\",\"itemId\":\"i\",\"value\":1500,"
                + "\"ts\":\"2026-11-30T10:00:00Z\"}",
            "{\"type\":\"dwell\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":1796032800000}",
            "[1,2]",
            "{\"type\":\"like\"} {}");
    assertThat(file.format()).isEqualTo("JSON lines");
    assertThat(json(file.rows().get(0)).path("ts").asLong()).isEqualTo(1796032800000L);
    assertThat(file.firstBad())
        .extracting(BadRow::toString)
        .containsExactly(
            path("events.jsonl") + ":2: value (dwell time in ms) is required for dwell events",
            path("events.jsonl") + ":3: not a JSON object",
            path("events.jsonl")
                + ":4: not JSON: Trailing token (of type START_OBJECT) found after value (bound as"
                + " `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
                + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
  }

  @Test
  void aLineThatIsNotUtf8IsABadRowOfItsOwn() throws Exception {
    Path file = dir.resolve("events.csv");
    byte[] header = "userId,itemId,type,ts\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {'u', (byte) 0xC3, ',', 'i', ',', 'l', 'i', 'k', 'e', ',', '1', '\n'};
    byte[] good = "u,i,like,2026-11-30T10:00:00Z\r\n".getBytes(StandardCharsets.UTF_8);
    Files.write(file, concat(header, bad, good));
    ImportFile read =
        ImportFile.read(file, "events.csv", ImportKind.EVENTS, Optional.empty(), "ml-", CHECK);
    assertThat(read.rows()).extracting(ImportRow::line).containsExactly(3L);
    assertThat(read.firstBad())
        .extracting(BadRow::toString)
        .containsExactly("events.csv:2: not UTF-8 text");
  }

  @Test
  void itemsCsvSplitsListsAndChecksEmbeddingsAgainstTheDimension() throws Exception {
    ImportFile file =
        items(
            "items.csv",
            "id,category,tags,embedding,attributes,popularity",
            "a-1,news,local|sport,0.1|0.2|0.3|0.4,\"{\"\"author\"\":\"\"kim\"\"}\",12.5",
            "a-2,news,,0.1|0.2,,",
            "a-3,news,,0.1|x|0.3|0.4,,",
            "a-4,news,,,{oops,");
    assertThat(json(file.rows().get(0)))
        .isEqualTo(
            JSON.readTree(
                "{\"id\":\"a-1\",\"category\":\"news\",\"tags\":[\"local\",\"sport\"],"
                    + "\"embedding\":[0.1,0.2,0.3,0.4],\"attributes\":{\"author\":\"kim\"},"
                    + "\"popularity\":12.5}"));
    assertThat(file.firstBad())
        .extracting(BadRow::message)
        .containsExactly(
            "embedding \"0.1|0.2\" must be an array of 4 numbers",
            "embedding[1] \"0.1|x|0.3|0.4\" must be a finite number",
            "attributes is not JSON: Unexpected character ('o' (code 111)): was expecting double-quote"
                + " to start field name");
  }

  @Test
  void movieLensMoviesTakeTheFirstGenreAsCategoryAndTheTitleAsAnAttribute() throws Exception {
    ImportFile file =
        items(
            "movies.csv",
            "movieId,title,genres",
            "11,\"American President, The (1995)\",Comedy|Drama|Romance",
            "182727,A Christmas Story Live! (2017),(no genres listed)");
    assertThat(file.format()).startsWith("MovieLens movies");
    assertThat(json(file.rows().get(0)))
        .isEqualTo(
            JSON.readTree(
                "{\"id\":\"ml-11\",\"category\":\"Comedy\",\"tags\":[\"Comedy\",\"Drama\","
                    + "\"Romance\"],\"attributes\":{\"title\":\"American President, The (1995)\"}}"));
    assertThat(json(file.rows().get(1)).path("category").asText()).isEqualTo("(no genres listed)");
    assertThat(json(file.rows().get(1)).path("tags")).isEmpty();
  }

  private ImportFile events(String name, String... lines) throws Exception {
    return read(name, ImportKind.EVENTS, lines);
  }

  private ImportFile items(String name, String... lines) throws Exception {
    return read(name, ImportKind.ITEMS, lines);
  }

  private ImportFile read(String name, ImportKind kind, String... lines) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return ImportFile.read(file, file.toString(), kind, Optional.empty(), "ml-", CHECK);
  }

  private String path(String name) {
    return dir.resolve(name).toString();
  }

  private static JsonNode json(ImportRow row) {
    try {
      return JSON.readTree(row.json());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) length += p.length;
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
