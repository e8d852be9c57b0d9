package dev.freshet.actors.features;

import dev.freshet.actors.CborSerializable;

/**
 * A user vector an outside model computed (e.g. the user's factors of a model trained elsewhere),
 * pushed by an internal service, in the item embedding space: ranking compares it with the items'
 * embeddings like the vector the user's own engagements make. {@code source} names the model (or is
 * {@code null}), {@code atMillis} is when it was pushed.
 */
public record PushedVector(float[] vector, String source, long atMillis)
    implements CborSerializable {

  /** At most this many characters name the source. */
  public static final int MAX_SOURCE_LENGTH = 128;

  /**
   * Why {@code vector} and {@code source} cannot be pushed for items of {@code dimension}
   * dimensions, or {@code null} when they can: the length must match, every component be finite and
   * not all zero (a vector without direction says nothing), the source at most {@link
   * #MAX_SOURCE_LENGTH} characters without control characters.
   */
  public static String refusal(float[] vector, String source, int dimension) {
    if (vector == null) return "vector is missing";
    if (vector.length != dimension)
      return "vector must have " + dimension + " dimensions, not " + vector.length;
    boolean zero = true;
    for (int d = 0; d < vector.length; d++) {
      if (!Float.isFinite(vector[d])) return "vector[" + d + "] must be a finite number";
      if (vector[d] != 0f) zero = false;
    }
    if (zero) return "vector must not be all zeros";
    if (source != null) {
      if (source.isEmpty() || source.length() > MAX_SOURCE_LENGTH)
        return "source must be 1 to " + MAX_SOURCE_LENGTH + " characters";
      for (int i = 0; i < source.length(); i++) {
        char c = source.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < source.length()
            && Character.isLowSurrogate(source.charAt(i + 1))) {
          i++;
          continue;
        }
        if (Character.isISOControl(c) || Character.isSurrogate(c))
          return "source must not hold control characters or unpaired surrogates";
      }
    }
    return null;
  }
}
