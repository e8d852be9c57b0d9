package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.Acknowledgement;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.api.PushFeaturesRequest;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code PUT /internal/v1/users/{id}/features}: a user vector an outside model computed, pushed to
 * the user's entity ({@link UserEntity.PushFeatures}). On the internal API only.
 */
public final class FeatureRoutes extends ApiRoutes {

  private final Users users;
  private final int embeddingDimension;
  private final JsonBodies bodies;

  public FeatureRoutes(
      Users users, int embeddingDimension, JsonBodies bodies, ObjectMapper mapper) {
    super(mapper);
    this.users = users;
    this.embeddingDimension = embeddingDimension;
    this.bodies = bodies;
  }

  /** The routes below {@code /internal/v1/users/{userId}}. */
  public Route forUser(String userId) {
    return path("features", () -> put(() -> bodies.json(body -> push(userId, body))));
  }

  private Route push(String userId, JsonNode body) {
    Fields.id("userId", userId);
    PushFeaturesRequest request = PushFeaturesRequest.parse(body, embeddingDimension);
    long now = System.currentTimeMillis();
    return onSuccess(
        users.<UserEntity.PushResult>ask(
            userId,
            replyTo ->
                new UserEntity.PushFeatures(request.vector(), request.source(), now, replyTo)),
        r -> json(200, new Acknowledgement.FeaturesPushed(userId, r.stored())));
  }
}
