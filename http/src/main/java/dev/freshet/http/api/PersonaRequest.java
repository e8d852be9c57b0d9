package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.features.Persona;
import java.util.ArrayList;
import java.util.List;

/** Validates a {@code PUT /v1/users/{id}/persona} body: {"categories":[],"tags":[],"vector":[]}. */
public final class PersonaRequest {

  static final int MAX_CATEGORIES = 32;
  static final int MAX_TAGS = 64;

  private PersonaRequest() {}

  public static Persona parse(JsonNode body, int embeddingDimension) {
    Fields.requireObject(body);
    List<String> categories = strings(body, "categories", MAX_CATEGORIES, 128);
    List<String> tags = strings(body, "tags", MAX_TAGS, 64);
    float[] vector = vector(body, embeddingDimension);
    if (categories.isEmpty() && tags.isEmpty() && vector == null) {
      throw ApiException.invalid("body", "a persona needs categories, tags or a vector");
    }
    return new Persona(categories, tags, vector);
  }

  private static List<String> strings(JsonNode body, String name, int max, int maxLength) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) return List.of();
    if (!node.isArray()) throw ApiException.invalid(name, name + " must be an array of strings");
    if (node.size() > max)
      throw ApiException.invalid(name, name + " allows at most " + max + " entries");
    List<String> values = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String field = name + "[" + i + "]";
      if (!node.get(i).isTextual()) throw ApiException.invalid(field, field + " must be a string");
      String value = Fields.text(field, node.get(i).textValue(), maxLength);
      if (!values.contains(value)) values.add(value);
    }
    return values;
  }

  /** The body's {@code vector}: {@code dimension} finite numbers, or {@code null} when absent. */
  static float[] vector(JsonNode body, int dimension) {
    JsonNode node = body.get("vector");
    if (node == null || node.isNull()) return null;
    if (!node.isArray() || node.size() != dimension) {
      throw ApiException.invalid("vector", "vector must be an array of " + dimension + " numbers");
    }
    float[] v = new float[dimension];
    for (int d = 0; d < dimension; d++) {
      JsonNode x = node.get(d);
      if (!x.isNumber() || !Float.isFinite(x.floatValue())) {
        throw ApiException.invalid(
            "vector[" + d + "]", "vector[" + d + "] must be a finite number");
      }
      v[d] = x.floatValue();
    }
    return v;
  }
}
