package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.features.PushedVector;

/**
 * Validates a {@code PUT /internal/v1/users/{id}/features} body: {"vector":[…],"source":"…"}, the
 * vector an outside model computed for the user, in the item embedding space.
 */
public record PushFeaturesRequest(float[] vector, String source) {

  public static PushFeaturesRequest parse(JsonNode body, int embeddingDimension) {
    Fields.requireObject(body);
    float[] vector = PersonaRequest.vector(body, embeddingDimension);
    if (vector == null) throw ApiException.invalid("vector", "vector is required");
    boolean zero = true;
    for (float x : vector) zero &= x == 0f;
    if (zero) throw ApiException.invalid("vector", "vector must not be all zeros");
    String source =
        Fields.optionalText(body, "source", "source", PushedVector.MAX_SOURCE_LENGTH).orElse(null);
    return new PushFeaturesRequest(vector, source);
  }
}
