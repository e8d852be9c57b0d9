package dev.freshet.actors.features;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A user's features as people read them: affinities decayed to now and rounded, counters, the
 * session and the persona. What the entity answers about itself; the edge and the feature snapshots
 * translate it into their own shapes.
 *
 * @param lastImpressionAt when the user was last shown something (ISO-8601), null if never
 * @param persona null when the user has none
 * @param pushed the vector an outside model pushed for the user; null when none was
 */
public record FeatureSummary(
    @JsonInclude(JsonInclude.Include.NON_NULL) String lastImpressionAt,
    Map<String, Double> categoryAffinity,
    Map<String, Double> tagAffinity,
    Map<String, Long> interactions,
    Map<String, Long> intents,
    Dwell dwell,
    CurrentSession session,
    boolean hasVector,
    @JsonInclude(JsonInclude.Include.NON_NULL) PersonaInUse persona,
    @JsonInclude(JsonInclude.Include.NON_NULL) Pushed pushed) {

  public record Dwell(long count, long meanMillis, long maxMillis) {}

  /**
   * @param startedAt ISO-8601, null before the first event
   */
  public record CurrentSession(boolean active, int events, String startedAt) {}

  /**
   * @param inUse whether the persona still stands in for a history the user does not have yet
   */
  public record PersonaInUse(
      List<String> categories, List<String> tags, boolean hasVector, boolean inUse) {}

  /**
   * @param source the model that computed it, null when the pusher named none
   * @param pushedAt ISO-8601
   * @param dimension the vector's length
   */
  public record Pushed(String source, String pushedAt, int dimension) {}
}
