package dev.freshet.http.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.user.Favorites;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.ApiJson;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.streams.UserData;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * A user's privacy rights (SPEC C10): consent, access (everything stored about the user) and
 * erasure (everywhere: journal, snapshots, read models, rankings, share links, the live state). The
 * user's entity goes first in both erasure and consent, so that nothing of the user is written
 * afterwards that the database step does not cover; it is sharded, so this works from any node.
 */
public final class PrivacyRoutes extends ApiRoutes {

  private final Users users;
  private final Catalog catalog;
  private final UserData data;
  private final HttpSettings settings;
  private final JsonBodies bodies;

  public PrivacyRoutes(
      Users users,
      Catalog catalog,
      UserData data,
      HttpSettings settings,
      JsonBodies bodies,
      ObjectMapper mapper) {
    super(mapper);
    this.users = users;
    this.catalog = catalog;
    this.data = data;
    this.settings = settings;
    this.bodies = bodies;
  }

  /**
   * The routes of {@code /v1/users/{userId}} itself and of its {@code export} and {@code consent}.
   */
  public Route forUser(String userId) {
    return concat(
        pathEnd(() -> delete(() -> erase(userId))),
        path("export", () -> get(() -> export(userId))),
        path("consent", () -> put(() -> bodies.json(body -> setConsent(userId, body)))));
  }

  // ---- consent ---------------------------------------------------------------------------------

  private Route setConsent(String userId, JsonNode body) {
    Fields.id("userId", userId);
    JsonNode consent = Fields.requireObject(body).get("consent");
    if (consent == null || !consent.isBoolean()) {
      throw ApiException.invalid("consent", "consent must be true or false");
    }
    long now = System.currentTimeMillis();
    return onSuccess(
        users
            .entity(userId)
            .askWithStatus(
                (ActorRef<StatusReply<UserEntity.ConsentView>> replyTo) ->
                    new UserEntity.SetConsent(consent.booleanValue(), now, replyTo),
                settings.askTimeout()),
        view ->
            json(
                200,
                ApiJson.fields(
                    "userId", userId, "consent", view.consent(), "changed", view.changed())));
  }

  // ---- erasure ---------------------------------------------------------------------------------

  /**
   * The entity forgets first (one journal write; the user's later commands meet a new user), then
   * one transaction deletes everything up to that write and leaves a tombstone for writes in
   * flight. A failure in between leaves the entity empty and the rows in place: the request can be
   * repeated.
   */
  private Route erase(String userId) {
    Fields.id("userId", userId);
    long now = System.currentTimeMillis();
    CompletionStage<Map<String, Integer>> removed =
        users
            .entity(userId)
            .askWithStatus(
                (ActorRef<StatusReply<UserEntity.Forgotten>> replyTo) ->
                    new UserEntity.Forget(now, replyTo),
                settings.askTimeout())
            .thenCompose(forgotten -> data.erase(userId, forgotten.sequenceNr()));
    return onSuccess(
        removed, r -> json(200, ApiJson.fields("userId", userId, "deleted", true, "removed", r)));
  }

  // ---- access ----------------------------------------------------------------------------------

  private Route export(String userId) {
    Fields.id("userId", userId);
    CompletableFuture<UserEntity.UserExport> live =
        users
            .entity(userId)
            .askWithStatus(UserEntity.GetExport::new, settings.askTimeout())
            .toCompletableFuture();
    CompletableFuture<List<EventEnvelope>> journal = data.journal(userId).toCompletableFuture();
    CompletableFuture<Map<String, String>> rows = data.rows(userId).toCompletableFuture();
    CompletionStage<ObjectNode> export =
        CompletableFuture.allOf(live, journal, rows)
            .thenApply(done -> exportJson(userId, live.join(), journal.join(), rows.join()));
    return onSuccess(export, body -> json(200, body));
  }

  private ObjectNode exportJson(
      String userId,
      UserEntity.UserExport live,
      List<EventEnvelope> journal,
      Map<String, String> rows) {
    CatalogSnapshot snapshot = catalog.snapshot();
    ObjectNode body = mapper.createObjectNode();
    body.put("userId", userId);
    body.put("exportedAt", Instant.now().toString());
    body.put("consent", live.state().consent());
    body.set("persona", live.persona() == null ? mapper.nullNode() : persona(live.persona()));

    ObjectNode state = mapper.valueToTree(live.state());
    state.remove("userId");
    state.remove("consent");
    state.set("seenItems", items(snapshot, live.seenItems()));
    state.set(
        "userVector",
        live.vector() == null ? mapper.nullNode() : mapper.valueToTree(live.vector()));
    body.set("state", state);

    ArrayNode favorites = body.putArray("favorites");
    for (Favorites.Favorite f : live.favorites()) {
      ObjectNode favorite = favorites.addObject();
      favorite.put("itemId", itemId(snapshot, f.itemId()));
      favorite.put("addedAt", Instant.ofEpochMilli(f.addedAtMillis()).toString());
    }

    ArrayNode events = body.putArray("journal");
    for (EventEnvelope e : journal) events.add(journalEvent(snapshot, e));

    ObjectNode readModels = body.putObject("readModels");
    for (String section :
        List.of("impressions", "events", "activity", "featureSnapshots", "deadLetters")) {
      readModels.set(section, parse(rows.get(section)));
    }
    body.set("rankings", parse(rows.get("rankings")));
    body.set("favoriteShares", parse(rows.get("favoriteShares")));
    return body;
  }

  /** One journal event as a person can read it: what happened, when, to which items (by id). */
  private ObjectNode journalEvent(CatalogSnapshot snapshot, EventEnvelope envelope) {
    ObjectNode n = mapper.createObjectNode();
    n.put("sequenceNr", envelope.sequenceNr());
    n.put("writtenAt", Instant.ofEpochMilli(envelope.timestamp()).toString());
    Object event = envelope.event();
    n.put("type", event.getClass().getSimpleName());
    if (event instanceof UserEntity.ImpressionsRecorded e) {
      n.put("at", instant(e.atMillis()));
      n.set("items", items(snapshot, e.itemIds()));
      if (e.positions() != null) n.set("positions", mapper.valueToTree(e.positions()));
      if (e.surface() != null) n.put("surface", e.surface());
      if (e.rankingId() != null) n.put("rankingId", e.rankingId());
    } else if (event instanceof UserEntity.ImpressionsRepeated e) {
      n.put("at", instant(e.atMillis()));
      n.set("items", items(snapshot, e.itemIds()));
    } else if (event instanceof UserEntity.InteractionsRecorded e) {
      ArrayNode interactions = n.putArray("interactions");
      for (Interaction i : e.interactions()) {
        ObjectNode x = interactions.addObject();
        x.put("type", i.type().wire());
        x.put("itemId", itemId(snapshot, i.itemId()));
        x.put("at", instant(i.at()));
        if (i.intent() != null) x.put("intent", i.intent());
        if (i.value() != null) x.put("value", i.value());
        if (i.rankingId() != null) x.put("rankingId", i.rankingId());
        if (i.position() != null) x.put("position", i.position());
        if (i.category() != null) x.put("category", i.category());
        if (!i.tags().isEmpty()) x.set("tags", mapper.valueToTree(i.tags()));
      }
    } else if (event instanceof UserEntity.PersonaSet e) {
      n.set("persona", persona(e.persona()));
    } else if (event instanceof UserEntity.PoolLevelsChanged e) {
      n.put("thresholdsAboveMask", e.levels().above());
      n.put("atRisk", e.levels().atRisk());
    } else if (event instanceof UserEntity.ItemsReplayed e) {
      n.put("at", instant(e.atMillis()));
      n.set("items", items(snapshot, e.itemIds()));
    } else if (event instanceof UserEntity.FavoriteAdded e) {
      n.put("itemId", itemId(snapshot, e.itemId()));
      n.put("at", instant(e.atMillis()));
    } else if (event instanceof UserEntity.FavoriteRemoved e) {
      n.put("itemId", itemId(snapshot, e.itemId()));
    } else if (event instanceof UserEntity.ConsentSet e) {
      n.put("consent", e.consent());
      n.put("at", instant(e.atMillis()));
    } else if (event instanceof UserEntity.UserForgotten e) {
      n.put("at", instant(e.atMillis()));
    }
    return n;
  }

  private ObjectNode persona(Persona persona) {
    ObjectNode p = mapper.createObjectNode();
    p.set("categories", mapper.valueToTree(persona.categories()));
    p.set("tags", mapper.valueToTree(persona.tags()));
    p.set(
        "vector",
        persona.vector() == null ? mapper.nullNode() : mapper.valueToTree(persona.vector()));
    return p;
  }

  private ArrayNode items(CatalogSnapshot snapshot, int[] denseIds) {
    ArrayNode items = mapper.createArrayNode();
    for (int id : denseIds) items.add(itemId(snapshot, id));
    return items;
  }

  /** The catalog id; {@code null} for an item deleted from the catalog since. */
  private static String itemId(CatalogSnapshot snapshot, int denseId) {
    Item item = snapshot.byDenseId(denseId);
    return item == null ? null : item.id();
  }

  private static String instant(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  private JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("PostgreSQL answered JSON that does not parse", e);
    }
  }
}
