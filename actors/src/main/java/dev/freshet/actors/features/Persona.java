package dev.freshet.actors.features;

import dev.freshet.actors.CborSerializable;
import java.util.List;

/**
 * What a user told us (or a sign-up flow inferred) before there is any history: preferred
 * categories and tags, and optionally a vector in the item embedding space. Used for cold start
 * only: once the user has interactions, their behaviour speaks instead.
 */
public record Persona(List<String> categories, List<String> tags, float[] vector)
    implements CborSerializable {

  public Persona {
    categories = categories == null ? List.of() : List.copyOf(categories);
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
