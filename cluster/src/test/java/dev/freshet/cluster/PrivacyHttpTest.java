package dev.freshet.cluster;

import static dev.freshet.cluster.Api.event;
import static dev.freshet.cluster.Api.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.persistence.JdbcRankingEventStore;
import dev.freshet.streams.TrainingExport;
import dev.freshet.streams.readmodel.BatchResult;
import dev.freshet.streams.readmodel.EventsReadModel;
import dev.freshet.streams.readmodel.ImpressionsReadModel;
import dev.freshet.streams.readmodel.ReadModel;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Consent, access and erasure over HTTP on real PostgreSQL: an export holds every kind of data kept
 * about a user, a delete leaves no row of the user in any table (and every row of other users), and
 * without consent nothing of the user's behaviour is stored or used.
 */
class PrivacyHttpTest {

  private static final String X = "privacy-x";
  private static final String Y = "privacy-y";

  private static EmbeddedDatabase db;
  private static FreshetNode node;
  private static Api api;
  private static ReadModelTables tables;

  @BeforeAll
  static void start() {
    db = TestNodes.database();
    tables = new ReadModelTables(db.jdbcUrl());
    node =
        TestNodes.onDatabase(
            db,
            Optional.empty(),
            // snapshots and feature snapshots early, so that the users have some to delete
            Map.of(
                "freshet.read-models.feature-snapshots.interval",
                "1s",
                "freshet.user.snapshot-every",
                3));
    api = new Api(node);
    assertThat(api.post("/v1/items", Api.items("p", 40, 4, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    node.stop();
    db.close();
  }

  /**
   * A user with every kind of data: a ranking served, impressions of it (twice), a click on it, a
   * like, a dwell, a persona, a favourite, a share link, and a share at year 0 that the events
   * projection sets aside as a dead letter (journaled past the edge, which refuses such times).
   */
  private static String populate(String user) {
    assertThat(api.put("/v1/users/" + user + "/persona", "{\"categories\":[\"c1\"]}").status())
        .isEqualTo(200);
    // within c1: other tests' likes make items of other categories trend, and the liked p39 (c3)
    // must
    // stay out of the 5 shown
    Api.Response ranking = api.get("/v1/users/" + user + "/recommendations?k=5&category=c1");
    assertThat(ranking.status()).isEqualTo(200);
    String rankingId = ranking.body().path("rankingId").asText();
    List<String> shown = Api.rankedIds(ranking);
    assertThat(shown).hasSize(5);
    String impressions =
        "{\"userId\":\""
            + user
            + "\",\"itemIds\":[\""
            + String.join("\",\"", shown)
            + "\"],\"surface\":\"home\","
            + "\"rankingId\":\""
            + rankingId
            + "\",\"positions\":[1,2,3,4,5]}";
    assertThat(api.post("/v1/impressions", impressions).body().path("recorded").asInt())
        .isEqualTo(5);
    assertThat(api.post("/v1/impressions", impressions).body().path("duplicates").asInt())
        .isEqualTo(5);
    Api.Response accepted =
        api.post(
            "/v1/events",
            events(
                event(
                    "click",
                    user,
                    shown.get(1),
                    ",\"rankingId\":\"" + rankingId + "\",\"position\":2"),
                event("dwell", user, shown.get(1), ",\"value\":30000"),
                event("like", user, "p39", ",\"intent\":\"curious\"")));
    assertThat(accepted.body().path("stored").asBoolean()).isTrue();
    long year0 = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    UserEntities.recordEvents(
        node,
        user,
        new Interaction(
            UserEntities.dense(node, shown.get(0)),
            InteractionType.SHARE,
            year0,
            null,
            null,
            null,
            null));
    assertThat(api.put("/v1/users/" + user + "/favorites/p20").status()).isEqualTo(201);
    assertThat(api.post("/v1/users/" + user + "/favorites/share").status()).isEqualTo(201);
    return rankingId;
  }

  /**
   * Every table with a user or persistence id column: its rows of {@code user}, by table and
   * column.
   */
  private static Map<String, Long> rowsByIdColumn(String user) {
    Map<String, Long> counts = new TreeMap<>();
    for (String row :
        tables.rows(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
                + "AND column_name IN ('user_id', 'persistence_id') ORDER BY 1, 2")) {
      String[] f = row.split("\\|");
      String value = f[1].equals("persistence_id") ? "User|" + user : user;
      counts.put(
          f[0] + "." + f[1],
          tables.count(
              "SELECT count(*) FROM \"" + f[0] + "\" WHERE " + f[1] + " = '" + value + "'"));
    }
    return counts;
  }

  /** Every table of the schema: its rows that mention {@code user} anywhere (as text). */
  private static Map<String, Long> rowsMentioning(String user) {
    Map<String, Long> counts = new TreeMap<>();
    for (String table :
        tables.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
      counts.put(
          table,
          tables.count(
              "SELECT count(*) FROM \"" + table + "\" t WHERE t::text LIKE '%" + user + "%'"));
    }
    return counts;
  }

  private static String trainingCsv() {
    StringWriter out = new StringWriter();
    new TrainingExport(node.database().dataSource(), Clock.systemUTC(), Duration.ZERO, 20)
        .export(Instant.EPOCH, out);
    return out.toString();
  }

  /**
   * The read models, ranking events and feature snapshots have caught up with everything the user
   * sent, and no later feature snapshot of the user is due.
   */
  private static void awaitWritten(String user) throws InterruptedException {
    tables.awaitCaughtUp(Duration.ofSeconds(30));
    Shards.awaitTrue(
        "ranking events and feature snapshots of " + user,
        Duration.ofSeconds(30),
        () ->
            tables.count("SELECT count(*) FROM ranking_events WHERE user_id = '" + user + "'") > 0
                && tables.count("SELECT count(*) FROM user_features WHERE user_id = '" + user + "'")
                    > 0
                && tables.count(
                        "SELECT count(*) FROM user_activity WHERE user_id = '"
                            + user
                            + "' AND version = snapshot_version")
                    == 1);
  }

  @Test
  void anExportHoldsEverythingAndADeleteLeavesNoRowOfTheUserAnywhere() throws Exception {
    String rankingX = populate(X);
    awaitWritten(X);
    populate(Y);
    awaitWritten(Y);
    // every kind of row exists for both users before the delete
    for (String user : List.of(X, Y)) {
      Map<String, Long> rows = rowsByIdColumn(user);
      for (String table :
          List.of(
              "event_journal.persistence_id",
              "snapshot.persistence_id",
              "user_impressions.user_id",
              "events.user_id",
              "user_activity.user_id",
              "user_features.user_id",
              "ranking_events.user_id",
              "favorite_shares.user_id",
              "read_model_dead_letters.user_id",
              "read_model_dead_letters.persistence_id")) {
        assertThat(rows.get(table)).as(user + " in " + table).isPositive();
      }
    }
    assertThat(trainingCsv()).contains(X + "," + rankingX);

    // ---- access
    Api.Response exported = api.get("/v1/users/" + X + "/export");
    assertThat(exported.status()).isEqualTo(200);
    JsonNode export = exported.body();
    assertThat(export.path("userId").asText()).isEqualTo(X);
    assertThat(export.path("consent").asBoolean()).isTrue();
    assertThat(export.path("persona").path("categories").get(0).asText()).isEqualTo("c1");
    assertThat(export.path("state").path("seen").asInt()).isEqualTo(6); // 5 shown and the liked p39
    assertThat(export.path("state").path("seenItems")).hasSize(6);
    assertThat(export.path("state").path("features").path("interactions").path("click").asInt())
        .isEqualTo(1);
    assertThat(export.path("favorites").get(0).path("itemId").asText()).isEqualTo("p20");
    List<String> types = new ArrayList<>();
    export.path("journal").forEach(e -> types.add(e.path("type").asText()));
    assertThat(types)
        .contains("PersonaSet", "ImpressionsShown", "InteractionsRecorded", "FavoriteAdded");
    JsonNode click = null;
    for (JsonNode e : export.path("journal")) {
      for (JsonNode i : e.path("interactions"))
        if (i.path("type").asText().equals("click")) click = i;
    }
    assertThat(click).isNotNull();
    assertThat(click.path("rankingId").asText()).isEqualTo(rankingX);
    assertThat(click.path("position").asInt()).isEqualTo(2);
    assertThat(click.path("itemId").asText()).startsWith("p");
    JsonNode readModels = export.path("readModels");
    assertThat(readModels.path("impressions")).hasSize(5);
    readModels
        .path("impressions")
        .forEach(
            i -> {
              assertThat(i.path("viewCount").asInt()).isEqualTo(2);
              assertThat(i.path("rankingId").asText()).isEqualTo(rankingX);
            });
    List<String> eventTypes = new ArrayList<>();
    readModels.path("events").forEach(e -> eventTypes.add(e.path("type").asText()));
    assertThat(eventTypes).containsExactlyInAnyOrder("click", "dwell", "like");
    assertThat(readModels.path("activity")).hasSize(1);
    assertThat(readModels.path("deadLetters")).hasSize(1);
    assertThat(readModels.path("deadLetters").get(0).path("projection").asText())
        .isEqualTo("events");
    assertThat(readModels.path("deadLetters").get(0).path("reason").asText())
        .isEqualTo("partition_out_of_range");
    assertThat(readModels.path("deadLetters").get(0).path("event").asText()).contains("SHARE");
    assertThat(readModels.path("featureSnapshots").size()).isPositive();
    assertThat(
            readModels
                .path("featureSnapshots")
                .get(0)
                .path("features")
                .path("interactions")
                .isObject())
        .isTrue();
    List<String> rankings = new ArrayList<>();
    export.path("rankings").forEach(r -> rankings.add(r.path("rankingId").asText()));
    assertThat(rankings).contains(rankingX);
    assertThat(export.path("rankings").get(0).path("candidates")).hasSize(5);
    assertThat(export.path("favoriteShares")).hasSize(1);
    assertThat(export.path("favoriteShares").get(0).fieldNames())
        .toIterable()
        .containsExactly("createdAt");
    assertThat(export.toString()).doesNotContain(Y);

    // ---- erasure
    List<Long> orderingsOfX = new ArrayList<>();
    for (String o :
        tables.rows(
            "SELECT ordering FROM event_journal WHERE persistence_id = 'User|"
                + X
                + "' ORDER BY 1")) {
      orderingsOfX.add(Long.parseLong(o));
    }
    Map<String, Long> yByColumn = rowsByIdColumn(Y);
    Map<String, Long> yMentions = rowsMentioning(Y);

    Api.Response deleted = api.delete("/v1/users/" + X);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().path("userId").asText()).isEqualTo(X);
    assertThat(deleted.body().path("deleted").asBoolean()).isTrue();
    JsonNode removed = deleted.body().path("removed");
    assertThat(removed.path("event_journal").asInt())
        .isEqualTo(orderingsOfX.size() + 1); // and the erasure's own event
    assertThat(removed.path("user_impressions").asInt()).isEqualTo(5);
    assertThat(removed.path("events").asInt()).isEqualTo(3);
    assertThat(removed.path("favorite_shares").asInt()).isEqualTo(1);
    assertThat(removed.path("read_model_dead_letters").asInt()).isEqualTo(1);
    assertThat(removed.path("snapshot").asInt()).isPositive();

    // no row of X in any table, by id column or anywhere in a row; Y's rows all there
    assertThat(rowsByIdColumn(X).values()).containsOnly(0L);
    assertThat(rowsMentioning(X).values()).containsOnly(0L);
    assertThat(
            tables.count(
                "SELECT count(*) FROM event_tag t WHERE NOT EXISTS (SELECT 1 FROM event_journal j WHERE j.ordering = t.event_id)"))
        .isZero();
    assertThat(rowsByIdColumn(Y)).isEqualTo(yByColumn);
    assertThat(rowsMentioning(Y)).isEqualTo(yMentions);
    // the tombstone keeps a hash of the id, not the id
    assertThat(
            tables.count(
                "SELECT count(*) FROM erased_users WHERE user_sha256 = encode(sha256(convert_to('"
                    + X
                    + "', 'UTF8')), 'hex')"))
        .isEqualTo(1);

    String csv = trainingCsv();
    assertThat(csv).doesNotContain(X).contains(Y);
    assertThat(api.get("/v1/users/" + X + "/favorites").body().path("items")).isEmpty();
    JsonNode afterwards = api.get("/v1/users/" + X + "/export").body();
    assertThat(afterwards.path("journal")).isEmpty();
    assertThat(afterwards.path("readModels").path("impressions")).isEmpty();
    assertThat(afterwards.path("readModels").path("deadLetters")).isEmpty();
    assertThat(afterwards.path("rankings")).isEmpty();
    assertThat(afterwards.path("state").path("seen").asInt()).isZero();
    assertThat(afterwards.path("persona").isNull()).isTrue();

    // ---- writes that were in flight when the delete ran bring nothing back
    int dense = node.catalog().snapshot().byId("p7").orElseThrow().denseId();
    long stale = orderingsOfX.get(orderingsOfX.size() - 1);
    EventEnvelope impression =
        new EventEnvelope(
            Offset.sequence(stale),
            "User|" + X,
            99L,
            new UserEntity.ImpressionsShown(
                new int[] {dense}, new int[0], 1_000L, null, null, null),
            1_000L);
    EventEnvelope interaction =
        new EventEnvelope(
            Offset.sequence(stale),
            "User|" + X,
            99,
            new UserEntity.InteractionsRecorded(
                List.of(
                    new Interaction(
                        dense,
                        InteractionType.CLICK,
                        1_000L,
                        null,
                        null,
                        "r",
                        1,
                        "c3",
                        List.of()))),
            1_000L);
    for (ReadModel model : List.<ReadModel>of(new ImpressionsReadModel(), new EventsReadModel())) {
      BatchResult result = writeInOneTransaction(model, List.of(impression, interaction));
      assertThat(result.rows()).isZero();
      assertThat(result.skippedByReason()).containsEntry("user_erased", 2);
    }
    new JdbcRankingEventStore(node.database().dataSource(), Duration.ofSeconds(10))
        .insert(
            List.of(
                new JdbcRankingEventStore.Row(
                    "late-ranking",
                    X,
                    "control",
                    true,
                    List.of(),
                    System.currentTimeMillis() - 1_000)));
    assertThat(rowsByIdColumn(X).values()).containsOnly(0L);

    // ---- the same id comes back as a brand-new user
    Api.Response again = api.post("/v1/impressions", Api.impressions(X, List.of("p1")));
    assertThat(again.body().path("recorded").asInt()).isEqualTo(1);
    assertThat(api.get("/v1/users/" + X + "/state").body().path("seen").asInt()).isEqualTo(1);
    tables.awaitCaughtUp(Duration.ofSeconds(30));
    assertThat(
            tables.rows(
                "SELECT item_id, view_count FROM user_impressions WHERE user_id = '" + X + "'"))
        .containsExactly("p1|1");
  }

  private static BatchResult writeInOneTransaction(ReadModel model, List<EventEnvelope> batch)
      throws Exception {
    try (Connection c = node.database().dataSource().getConnection()) {
      c.setAutoCommit(false);
      BatchResult result = model.write(c, batch);
      c.commit();
      return result;
    }
  }

  @Test
  void aDeleteWorksFromANodeThatDoesNotHostTheUser() throws Exception {
    FreshetNode second =
        TestNodes.onDatabase(db, Optional.of(Cluster.get(node.system()).selfMember().address()));
    try {
      Shards.awaitTrue(
          "two members up",
          Duration.ofSeconds(30),
          () -> countUp(node) == 2 && countUp(second) == 2);
      Api viaSecond = new Api(second);
      String user = null;
      for (int i = 0; i < 50 && user == null; i++) {
        String candidate = "roamer-" + i;
        assertThat(
                api.post("/v1/impressions", Api.impressions(candidate, List.of("p2", "p3")))
                    .status())
            .isEqualTo(202);
        if (Shards.residentUsers(node).contains(candidate)) user = candidate;
      }
      assertThat(user).as("a user hosted by the first node").isNotNull();
      assertThat(Shards.residentUsers(second)).doesNotContain(user);

      Api.Response deleted = viaSecond.delete("/v1/users/" + user);
      assertThat(deleted.status()).isEqualTo(200);
      assertThat(deleted.body().path("removed").path("event_journal").asInt()).isEqualTo(2);
      assertThat(
              rowsByIdColumn(user).entrySet().stream()
                  .filter(e -> e.getKey().startsWith("event_journal")))
          .allMatch(e -> e.getValue() == 0L);
      assertThat(viaSecond.get("/v1/users/" + user + "/state").body().path("seen").asInt())
          .isZero();
    } finally {
      second.stop();
    }
  }

  private static long countUp(FreshetNode n) {
    var members = Cluster.get(n.system()).state().getMembers();
    long up = 0;
    for (var m : members) if (m.status() == MemberStatus.up()) up++;
    return up;
  }

  // ---- consent
  // ------------------------------------------------------------------------------------

  private static List<String> personalContributions(Api.Response ranking) {
    List<String> personal = new ArrayList<>();
    for (JsonNode item : ranking.body().path("items")) {
      for (String feature :
          List.of("categoryAffinity", "tagAffinity", "vectorSimilarity", "sessionSimilarity")) {
        if (item.path("explain").path(feature).asDouble() != 0.0)
          personal.add(item.path("id").asText() + ":" + feature);
      }
    }
    return personal;
  }

  /**
   * Items {@code prefix0..prefix(n-1)} in a category of their own, for a test that ranks within it:
   * the other tests' likes on this node make their items trend, which would push these out of a top
   * 5.
   */
  private static String ownCategory(String prefix, int n) {
    String category = prefix + "items";
    assertThat(api.post("/v1/items", Api.items(prefix, n, i -> category, "active")).status())
        .isEqualTo(200);
    return category;
  }

  @Test
  void withoutConsentNothingOfTheUserIsStoredOrUsedAndWithItAgainItIs() throws Exception {
    String quiet = "quiet";
    String category = ownCategory("qt", 10);
    Api.Response refused = api.put("/v1/users/" + quiet + "/consent", "{\"consent\":\"no\"}");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errorField()).isEqualTo("consent");
    assertThat(api.put("/v1/users/" + quiet + "/consent", "{}").errorField()).isEqualTo("consent");

    Api.Response withdrawn = api.put("/v1/users/" + quiet + "/consent", "{\"consent\":false}");
    assertThat(withdrawn.status()).isEqualTo(200);
    assertThat(withdrawn.body().path("userId").asText()).isEqualTo(quiet);
    assertThat(withdrawn.body().path("consent").asBoolean()).isFalse();

    Api.Response impressions =
        api.post("/v1/impressions", Api.impressions(quiet, List.of("qt0", "qt1", "qt1")));
    assertThat(impressions.status()).isEqualTo(202);
    assertThat(impressions.body().toString())
        .isEqualTo("{\"recorded\":0,\"duplicates\":0,\"stored\":false}");
    Api.Response onlyQuiet =
        api.post(
            "/v1/events",
            events(event("click", quiet, "qt0", ""), event("like", quiet, "qt1", "")));
    assertThat(onlyQuiet.status()).isEqualTo(202);
    assertThat(onlyQuiet.body().path("accepted").asInt()).isEqualTo(2);
    assertThat(onlyQuiet.body().path("stored").asBoolean()).isFalse();
    // an item only the user without consent acted on, and one a consenting user liked in the same
    // batch
    Api.Response mixed =
        api.post(
            "/v1/events",
            events(event("like", quiet, "qt8", ""), event("like", "talkative", "qt7", "")));
    assertThat(mixed.body().path("accepted").asInt()).isEqualTo(2);
    assertThat(mixed.body().path("stored").asBoolean()).isFalse();
    assertThat(mixed.body().path("notStored").asInt()).isEqualTo(1);
    int qt7 = node.catalog().snapshot().byId("qt7").orElseThrow().denseId();
    int qt8 = node.catalog().snapshot().byId("qt8").orElseThrow().denseId();
    Shards.awaitTrue(
        "the consenting user's like counted",
        Duration.ofSeconds(10),
        () -> node.popularity().board().item(qt7) > 0);
    assertThat(node.popularity().board().item(qt8)).isZero();

    Api.Response ranking =
        api.get("/v1/users/" + quiet + "/recommendations?k=5&explain=true&category=" + category);
    assertThat(ranking.status()).isEqualTo(200);
    assertThat(Api.rankedIds(ranking))
        .contains("qt0"); // not excluded: that impression was never stored
    assertThat(personalContributions(ranking)).isEmpty();
    JsonNode state = api.get("/v1/users/" + quiet + "/state").body();
    assertThat(state.path("seen").asInt()).isZero();
    assertThat(state.path("consent").asBoolean()).isFalse();

    // the journal holds the consent and nothing else; no read model, ranking or activity row
    List<UserEntity.Event> withheld = Journal.events(node.system(), quiet);
    assertThat(withheld).hasSize(1);
    assertThat(((UserEntity.ConsentSet) withheld.get(0)).consent()).isFalse();
    tables.awaitCaughtUp(Duration.ofSeconds(30));
    Thread.sleep(1_500); // the ranking write-behind's delay
    Map<String, Long> rows = rowsByIdColumn(quiet);
    rows.remove("event_journal.persistence_id");
    assertThat(rows.values()).containsOnly(0L);

    // consent again: stored and personal again
    Api.Response given = api.put("/v1/users/" + quiet + "/consent", "{\"consent\":true}");
    assertThat(given.body().path("consent").asBoolean()).isTrue();
    Api.Response stored = api.post("/v1/impressions", Api.impressions(quiet, List.of("qt0")));
    assertThat(stored.body().toString())
        .isEqualTo("{\"recorded\":1,\"duplicates\":0,\"stored\":true}");
    assertThat(
            api.post("/v1/events", events(event("click", quiet, "qt5", "")))
                .body()
                .path("stored")
                .asBoolean())
        .isTrue();
    assertThat(api.get("/v1/users/" + quiet + "/state").body().path("seen").asInt()).isEqualTo(2);
    assertThat(
            Api.rankedIds(
                api.get("/v1/users/" + quiet + "/recommendations?k=5&category=" + category)))
        .doesNotContain("qt0", "qt5");
    List<UserEntity.Event> journal = Journal.events(node.system(), quiet);
    assertThat(((UserEntity.ConsentSet) journal.get(1)).consent()).isTrue();
    assertThat(journal.subList(2, journal.size()))
        .hasAtLeastOneElementOfType(UserEntity.ImpressionsShown.class)
        .hasAtLeastOneElementOfType(UserEntity.InteractionsRecorded.class);
  }

  @Test
  void withdrawingConsentMakesRankingNonPersonalAtOnce() throws Exception {
    String user = "withdrawer";
    String category = ownCategory("wd", 10);
    String inCategory = "/recommendations?k=5&explain=true&category=" + category;
    assertThat(api.post("/v1/impressions", Api.impressions(user, Api.ids("wd", 0, 6))).status())
        .isEqualTo(202);
    assertThat(
            api.post(
                    "/v1/events",
                    events(event("like", user, "wd3", ""), event("like", user, "wd7", "")))
                .status())
        .isEqualTo(202);
    Api.Response before = api.get("/v1/users/" + user + inCategory);
    assertThat(Api.rankedIds(before)).doesNotContain("wd0", "wd1", "wd2");
    assertThat(personalContributions(before)).isNotEmpty();

    assertThat(api.put("/v1/users/" + user + "/consent", "{\"consent\":false}").status())
        .isEqualTo(200);

    // the likes were given with consent, so they count in popularity: once they do, the board stays
    // put
    // and a ranking without personal features is the one a user without history gets
    int wd3 = node.catalog().snapshot().byId("wd3").orElseThrow().denseId();
    int wd7 = node.catalog().snapshot().byId("wd7").orElseThrow().denseId();
    Shards.awaitTrue(
        "the likes counted",
        Duration.ofSeconds(10),
        () -> node.popularity().board().item(wd3) > 0 && node.popularity().board().item(wd7) > 0);
    Api.Response after = api.get("/v1/users/" + user + inCategory);
    assertThat(Api.rankedIds(after)).contains("wd0", "wd1");
    assertThat(Api.rankedIds(after))
        .isEqualTo(Api.rankedIds(api.get("/v1/users/withdrawer-newcomer" + inCategory)));
    assertThat(personalContributions(after)).isEmpty();
    JsonNode state = api.get("/v1/users/" + user + "/state").body();
    assertThat(state.path("seen").asInt()).isZero();
    assertThat(state.path("features").path("interactions").size()).isZero();
  }
}
