package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.feed.ActivityFeed;
import dev.freshet.actors.ranking.RankingLog;
import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.ranking.RankingSettings;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.Acknowledgement;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.api.PersonaRequest;
import dev.freshet.http.api.RankingAnswer;
import dev.freshet.http.api.RecommendationQuery;
import dev.freshet.http.api.UserStateAnswer;
import dev.freshet.http.edge.Caller;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A user's recommendations, live state and cold-start persona ({@code /v1/users/{id}/…}): asked of
 * the user's entity, and every served personal ranking logged for joining clicks to it.
 */
public final class RankingRoutes extends ApiRoutes {

  private final Users users;
  private final RankingSettings rankingSettings;
  private final RankingLog rankingLog;
  private final int embeddingDimension;
  private final JsonBodies bodies;
  private final ActivityFeed feed;

  public RankingRoutes(
      Users users,
      RankingSettings rankingSettings,
      RankingLog rankingLog,
      int embeddingDimension,
      JsonBodies bodies,
      ActivityFeed feed,
      ObjectMapper mapper) {
    super(mapper);
    this.feed = feed;
    this.users = users;
    this.rankingSettings = rankingSettings;
    this.rankingLog = rankingLog;
    this.embeddingDimension = embeddingDimension;
    this.bodies = bodies;
  }

  /** The routes below {@code /v1/users/{userId}}. */
  public Route forUser(String userId) {
    return concat(
        path("recommendations", () -> get(() -> recommend(userId))),
        path("state", () -> get(() -> state(userId))),
        path("persona", () -> put(() -> bodies.json(body -> setPersona(userId, body)))));
  }

  /** The query, and whether the caller may ask for what only admins may ({@code asOf}). */
  private Route recommend(String userId) {
    return extractRequest(
        request ->
            parameterMap(
                query ->
                    recommend(
                        userId,
                        query,
                        request
                            .getAttribute(Caller.ATTRIBUTE)
                            .map(Caller::isAdmin)
                            .orElse(false))));
  }

  private Route recommend(String userId, Map<String, String> query, boolean admin) {
    Fields.id("userId", userId);
    RankingRequest request = RecommendationQuery.parse(query, rankingSettings, admin);
    return onSuccess(
        users.<UserEntity.RankingResult>ask(
            userId, replyTo -> new UserEntity.Recommend(request, replyTo)),
        r -> {
          // nothing is kept under the id of a user without consent, and an evaluation's ranking
          // as of another time was never shown to anybody
          if (r.personal() && request.asOf().isEmpty()) {
            rankingLog.served(userId, r.served());
            if (r.shadow() != null) rankingLog.shadow(userId, r.shadow());
            if (feed.watched()) {
              feed.publish(
                  new ActivityFeed.Ranking(
                      System.currentTimeMillis(),
                      userId,
                      r.served().rankingId(),
                      r.served().variant(),
                      r.served().items().stream().map(i -> i.id()).toList()));
            }
          }
          return json(200, RankingAnswer.of(r.served(), request.explain()));
        });
  }

  private Route state(String userId) {
    Fields.id("userId", userId);
    return onSuccess(
        users.ask(userId, UserEntity.GetState::new), view -> json(200, UserStateAnswer.of(view)));
  }

  /** {@code PUT /v1/users/{id}/persona}: the cold-start taste of a user without history. */
  private Route setPersona(String userId, JsonNode body) {
    Fields.id("userId", userId);
    var persona = PersonaRequest.parse(body, embeddingDimension);
    return onSuccess(
        users.<Done>ask(userId, replyTo -> new UserEntity.SetPersona(persona, replyTo)),
        done -> json(200, Acknowledgement.PersonaSet.of(userId)));
  }
}
