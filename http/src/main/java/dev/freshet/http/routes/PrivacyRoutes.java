package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.ConsentAnswer;
import dev.freshet.http.api.ErasureAnswer;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.api.PrivacyExport;
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
        view -> json(200, ConsentAnswer.of(userId, view)));
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
    return onSuccess(removed, r -> json(200, ErasureAnswer.of(userId, r)));
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
    CompletionStage<PrivacyExport> export =
        CompletableFuture.allOf(live, journal, rows)
            .thenApply(
                done ->
                    PrivacyExport.of(
                        userId,
                        live.join(),
                        journal.join(),
                        rows.join(),
                        catalog.snapshot(),
                        Instant.now()));
    return onSuccess(export, body -> json(200, body));
  }
}
