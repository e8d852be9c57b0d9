package dev.freshet.http.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.features.FeatureSummary;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.pool.Freshness;
import dev.freshet.actors.pool.PoolLevels;
import dev.freshet.actors.user.Favorites;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.JdbcApiKeys;
import dev.freshet.streams.UserHistory;
import dev.freshet.streams.readmodel.PipelineStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.Test;

/**
 * The answers that translate domain results with some logic of their own, checked to the byte: the
 * field names, their order, which are {@code null} and which absent (API.md).
 */
class AnswersTest {

  private static final ObjectMapper JSON = ApiJson.mapper();

  /** Item "a" (dense 0) is in the catalog; dense id 1 was deleted from it. */
  private static final CatalogSnapshot CATALOG =
      CatalogSnapshot.empty()
          .withChanges(
              List.of(
                  new Item(
                      "a",
                      0,
                      "news",
                      List.of("t1"),
                      millis("2026-11-01T00:00:00Z"),
                      ItemStatus.ACTIVE,
                      2.5,
                      new float[] {0.1f, 1f},
                      "{\"lang\": \"en\"}")),
              1);

  private static long millis(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  private static String json(Object answer) throws JsonProcessingException {
    return JSON.writeValueAsString(answer);
  }

  @Test
  void historyGroupsByUtcDayAndShowsOnlyTheContextGiven() throws Exception {
    UserHistory.Cursor next = new UserHistory.Cursor(millis("2026-11-21T23:59:59Z"), 7, 3);
    UserHistory.Page page =
        new UserHistory.Page(
            List.of(
                new UserHistory.Entry(
                    0,
                    millis("2026-11-22T10:00:00Z"),
                    "home",
                    "r-1",
                    2,
                    1,
                    millis("2026-11-22T11:00:00Z"),
                    null),
                new UserHistory.Entry(
                    0, millis("2026-11-22T00:00:00Z"), null, null, null, 0, 0, null),
                new UserHistory.Entry(
                    1, millis("2026-11-21T23:59:59Z"), null, null, null, 0, 0, next)),
            Optional.of(next));

    assertThat(json(HistoryAnswer.of("u-1", page, CATALOG)))
        .isEqualTo(
            "{\"userId\":\"u-1\",\"days\":["
                + "{\"day\":\"2026-11-22\",\"items\":["
                + "{\"itemId\":\"a\",\"category\":\"news\",\"at\":\"2026-11-22T10:00:00Z\",\"surface\":\"home\",\"rankingId\":\"r-1\",\"position\":2,\"replayCount\":1,\"lastReplayedAt\":\"2026-11-22T11:00:00Z\"},"
                + "{\"itemId\":\"a\",\"category\":\"news\",\"at\":\"2026-11-22T00:00:00Z\",\"replayCount\":0}]},"
                + "{\"day\":\"2026-11-21\",\"items\":["
                + "{\"itemId\":null,\"at\":\"2026-11-21T23:59:59Z\",\"replayCount\":0}]}],"
                + "\"next\":\""
                + next.token()
                + "\"}");
  }

  @Test
  void theLastHistoryPageHasANullNext() throws Exception {
    assertThat(
            json(
                HistoryAnswer.of(
                    "u-1", new UserHistory.Page(List.of(), Optional.empty()), CATALOG)))
        .isEqualTo("{\"userId\":\"u-1\",\"days\":[],\"next\":null}");
  }

  @Test
  void favouritesShowTheItemAsEverywhereElseAndTheSharedViewHidesTheOwner() throws Exception {
    UserEntity.FavoritesView view =
        new UserEntity.FavoritesView(
            List.of(
                new Favorites.Favorite(0, millis("2026-11-20T08:00:00Z")),
                new Favorites.Favorite(1, millis("2026-11-20T09:00:00Z"))),
            true);
    String item =
        "{\"id\":\"a\",\"category\":\"news\",\"tags\":[\"t1\"],\"createdAt\":\"2026-11-01T00:00:00Z\","
            + "\"status\":\"active\",\"popularity\":2.5,\"embedding\":[0.1,1.0],\"attributes\":{\"lang\":\"en\"}";

    assertThat(json(ItemAnswer.of(CATALOG.byDenseId(0)))).isEqualTo(item + "}");
    assertThat(json(FavoritesAnswer.of("u-1", view, CATALOG)))
        .isEqualTo(
            "{\"userId\":\"u-1\",\"changed\":true,\"items\":["
                + item
                + ",\"addedAt\":\"2026-11-20T08:00:00Z\"}]}");
    assertThat(json(FavoritesAnswer.shared(view, CATALOG)))
        .isEqualTo("{\"items\":[" + item + ",\"addedAt\":\"2026-11-20T08:00:00Z\"}]}");
    assertThat(json(FavoritesAnswer.Link.of("tok")))
        .isEqualTo("{\"token\":\"tok\",\"url\":\"/v1/shared/favorites/tok\"}");
  }

  @Test
  void anItemWithoutEmbeddingHasNoEmbeddingField() throws Exception {
    Item plain = new Item("b", 2, "news", List.of(), 0, ItemStatus.ACTIVE, 0, null, "{}");
    assertThat(json(ItemAnswer.of(plain)))
        .isEqualTo(
            "{\"id\":\"b\",\"category\":\"news\",\"tags\":[],\"createdAt\":\"1970-01-01T00:00:00Z\","
                + "\"status\":\"active\",\"popularity\":0.0,\"attributes\":{}}");
  }

  @Test
  void anExportAfterConsentWasWithdrawnShowsEverythingStillStoredAndEachEventAsARecord()
      throws Exception {
    FeatureSummary features =
        new FeatureSummary(
            null,
            Map.of(),
            Map.of(),
            Map.of("click", 1L),
            Map.of(),
            new FeatureSummary.Dwell(1, 1200, 1200),
            new FeatureSummary.CurrentSession(false, 2, "2026-11-22T10:00:00Z"),
            false,
            new FeatureSummary.PersonaInUse(List.of("news"), List.of(), true, false),
            null);
    UserEntity.UserStateView state =
        new UserEntity.UserStateView(
            "u-1",
            2,
            3,
            5,
            0.4,
            Map.of("news", new Freshness(5, 3, 0.4)),
            List.of(),
            1,
            0,
            features,
            false);
    UserEntity.UserExport live =
        new UserEntity.UserExport(
            state,
            null,
            null,
            new int[] {0, 1},
            List.of(new Favorites.Favorite(0, millis("2026-11-20T08:00:00Z"))),
            null);
    long t = millis("2026-11-22T10:00:00Z");
    List<Object> events =
        List.of(
            new UserEntity.ImpressionsRecorded(new int[] {0, 1}, t, null, "home", null),
            new UserEntity.InteractionsRecorded(
                List.of(
                    new Interaction(
                        0, InteractionType.CLICK, t, null, null, "r-1", 1, "news", List.of()),
                    new Interaction(
                        1, InteractionType.DWELL, t, null, 1200L, null, null, null, List.of("x")))),
            new UserEntity.PersonaSet(new Persona(List.of("news"), List.of(), new float[] {0.5f})),
            new UserEntity.PoolLevelsChanged(new PoolLevels(3, true)),
            new UserEntity.FavoriteAdded(1, t),
            new UserEntity.ConsentSet(false, t),
            new UserEntity.ImpressionsShown(
                new int[] {1}, new int[] {0, 0}, t, new int[] {3}, null, "r-2"),
            new UserEntity.ImpressionsShown(new int[0], new int[] {1}, t, null, null, null),
            new UserEntity.InteractionsRecorded(
                List.of(new Interaction(0, InteractionType.LIKE, t, null, null, null, null)),
                Map.of(),
                new int[] {0},
                t));
    List<EventEnvelope> journal = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      journal.add(EventEnvelope.apply(Offset.sequence(i + 1), "User|u-1", i + 1, events.get(i), t));
    }
    Map<String, String> rows = new LinkedHashMap<>();
    for (String section :
        List.of(
            "impressions",
            "events",
            "activity",
            "featureSnapshots",
            "deadLetters",
            "rankings",
            "favoriteShares")) {
      rows.put(section, "[]");
    }
    rows.put("events", "[{\"a\": 1}]");
    rows.put("activity", "null");

    String at = "\"2026-11-22T10:00:00Z\"";
    String head = "\"writtenAt\":" + at + ",\"type\":";
    assertThat(
            json(
                PrivacyExport.of(
                    "u-1", live, journal, rows, CATALOG, Instant.parse("2026-11-23T00:00:00Z"))))
        .isEqualTo(
            "{\"userId\":\"u-1\",\"exportedAt\":\"2026-11-23T00:00:00Z\",\"consent\":false,\"persona\":null,"
                + "\"state\":{\"seen\":2,\"unseen\":3,\"poolSize\":5,\"coverage\":0.4,"
                + "\"categories\":{\"news\":{\"poolSize\":5,\"unseen\":3,\"coverage\":0.4}},"
                + "\"thresholdsReached\":[],\"favorites\":1,\"replays\":0,\"features\":{\"categoryAffinity\":{},\"tagAffinity\":{},"
                + "\"interactions\":{\"click\":1},\"intents\":{},"
                + "\"dwell\":{\"count\":1,\"meanMillis\":1200,\"maxMillis\":1200},"
                + "\"session\":{\"active\":false,\"events\":2,\"startedAt\":\"2026-11-22T10:00:00Z\"},"
                + "\"hasVector\":false,"
                + "\"persona\":{\"categories\":[\"news\"],\"tags\":[],\"hasVector\":true,\"inUse\":false}},"
                + "\"seenItems\":[\"a\",null],\"userVector\":null},"
                + "\"favorites\":[{\"itemId\":\"a\",\"addedAt\":\"2026-11-20T08:00:00Z\"}],"
                + "\"journal\":["
                + "{\"sequenceNr\":1,"
                + head
                + "\"ImpressionsRecorded\",\"at\":"
                + at
                + ",\"items\":[\"a\",null],\"surface\":\"home\"},"
                + "{\"sequenceNr\":2,"
                + head
                + "\"InteractionsRecorded\",\"interactions\":["
                + "{\"type\":\"click\",\"itemId\":\"a\",\"at\":"
                + at
                + ",\"rankingId\":\"r-1\",\"position\":1,\"category\":\"news\"},"
                + "{\"type\":\"dwell\",\"itemId\":null,\"at\":"
                + at
                + ",\"value\":1200,\"tags\":[\"x\"]}]},"
                + "{\"sequenceNr\":3,"
                + head
                + "\"PersonaSet\",\"persona\":{\"categories\":[\"news\"],\"tags\":[],\"vector\":[0.5]}},"
                + "{\"sequenceNr\":4,"
                + head
                + "\"PoolLevelsChanged\",\"thresholdsAboveMask\":3,\"atRisk\":true},"
                + "{\"sequenceNr\":5,"
                + head
                + "\"FavoriteAdded\",\"itemId\":null,\"at\":"
                + at
                + "},"
                + "{\"sequenceNr\":6,"
                + head
                + "\"ConsentSet\",\"consent\":false,\"at\":"
                + at
                + "},"
                + "{\"sequenceNr\":7,"
                + head
                + "\"ImpressionsShown\",\"at\":"
                + at
                + ",\"items\":[null],\"repeated\":[\"a\",\"a\"],\"positions\":[3],\"rankingId\":\"r-2\"},"
                + "{\"sequenceNr\":8,"
                + head
                + "\"ImpressionsShown\",\"at\":"
                + at
                + ",\"items\":[],\"repeated\":[null]},"
                + "{\"sequenceNr\":9,"
                + head
                + "\"InteractionsRecorded\",\"interactions\":["
                + "{\"type\":\"like\",\"itemId\":\"a\",\"at\":"
                + at
                + "}],\"repeated\":[\"a\"],\"repeatedAt\":"
                + at
                + "}],"
                + "\"readModels\":{\"impressions\":[],\"events\":[{\"a\":1}],\"activity\":null,"
                + "\"featureSnapshots\":[],\"deadLetters\":[]},"
                + "\"rankings\":[],\"favoriteShares\":[]}");
  }

  @Test
  void pipelinesRoundThroughputAndShowTheLastErrorOnlyWhenThereIsOne() throws Exception {
    Instant t = Instant.parse("2026-11-22T10:00:00Z");
    PipelineStatus failing =
        new PipelineStatus(
            "impressions", "user-0", 42, 1.5, 3, 12.345, 100, 1, 0, 7, null, t, "boom", null);
    PipelineStatus fine =
        new PipelineStatus("events", "user-1", 0, 0, 0, 0, 0, 0, 0, 0, t, t, null, null);
    assertThat(json(PipelinesAnswer.of(List.of(failing, fine))))
        .isEqualTo(
            "{\"pipelines\":["
                + "{\"projection\":\"impressions\",\"tag\":\"user-0\",\"healthy\":true,\"offset\":42,"
                + "\"lagSeconds\":1.5,\"pendingEvents\":3,\"rowsPerSecond\":12.3,\"rowsTotal\":100,"
                + "\"skippedTotal\":1,\"deadLettersTotal\":0,\"batchesTotal\":7,\"lastEventAt\":null,"
                + "\"updatedAt\":\"2026-11-22T10:00:00Z\",\"lastError\":{\"message\":\"boom\",\"at\":null}},"
                + "{\"projection\":\"events\",\"tag\":\"user-1\",\"healthy\":true,\"offset\":0,"
                + "\"lagSeconds\":0.0,\"pendingEvents\":0,\"rowsPerSecond\":0.0,\"rowsTotal\":0,"
                + "\"skippedTotal\":0,\"deadLettersTotal\":0,\"batchesTotal\":0,"
                + "\"lastEventAt\":\"2026-11-22T10:00:00Z\",\"updatedAt\":\"2026-11-22T10:00:00Z\","
                + "\"lastError\":null}]}");
  }

  @Test
  void aKeyShowsItsSecretOnlyWhenCreated() throws Exception {
    JdbcApiKeys.StoredKey key =
        new JdbcApiKeys.StoredKey(
            "k-1", "ops", List.of("admin"), "fk_ab", Instant.parse("2026-11-22T10:00:00Z"), null);
    String shown =
        "{\"id\":\"k-1\",\"name\":\"ops\",\"scopes\":[\"admin\"],\"prefix\":\"fk_ab\","
            + "\"createdAt\":\"2026-11-22T10:00:00Z\",\"revokedAt\":null,\"active\":true";
    assertThat(json(KeyAnswer.Listed.of(List.of(key)))).isEqualTo("{\"keys\":[" + shown + "}]}");
    assertThat(json(KeyAnswer.created(new JdbcApiKeys.CreatedKey(key, "fk_secret"))))
        .isEqualTo(shown + ",\"key\":\"fk_secret\"}");
  }

  @Test
  void theShortAnswers() throws Exception {
    assertThat(json(Acknowledgement.Health.ALIVE)).isEqualTo("{\"status\":\"alive\"}");
    assertThat(json(Acknowledgement.Health.notReady("joining")))
        .isEqualTo("{\"status\":\"not ready\",\"reason\":\"joining\"}");
    assertThat(json(IngestAnswer.Events.of(5, 2)))
        .isEqualTo("{\"accepted\":5,\"stored\":false,\"notStored\":2}");
    assertThat(json(IngestAnswer.Impressions.of(new UserEntity.ImpressionsResult(3, 1, true))))
        .isEqualTo("{\"recorded\":3,\"duplicates\":1,\"stored\":true}");
    assertThat(json(ErasureAnswer.of("u-1", Map.of("journal", 4))))
        .isEqualTo("{\"userId\":\"u-1\",\"deleted\":true,\"removed\":{\"journal\":4}}");
  }
}
