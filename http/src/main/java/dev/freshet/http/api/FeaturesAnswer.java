package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.freshet.actors.features.FeatureSummary;
import java.util.List;
import java.util.Map;

/**
 * A user's features in {@code GET /v1/users/{id}/state} and in the privacy export: affinities
 * decayed to now, counters, dwell, the current session, the persona and the vector an outside model
 * pushed (each absent when the user has none).
 */
public record FeaturesAnswer(
    @JsonInclude(JsonInclude.Include.NON_NULL) String lastImpressionAt,
    Map<String, Double> categoryAffinity,
    Map<String, Double> tagAffinity,
    Map<String, Long> interactions,
    Map<String, Long> intents,
    Dwell dwell,
    Session session,
    boolean hasVector,
    @JsonInclude(JsonInclude.Include.NON_NULL) Persona persona,
    @JsonInclude(JsonInclude.Include.NON_NULL) Pushed pushed) {

  public record Dwell(long count, long meanMillis, long maxMillis) {}

  /** {@code startedAt} is null before the first event. */
  public record Session(boolean active, int events, String startedAt) {}

  /** {@code inUse}: the persona stands in for a history the user does not have yet. */
  public record Persona(
      List<String> categories, List<String> tags, boolean hasVector, boolean inUse) {}

  /** The vector an outside model pushed; {@code source} is null when the pusher named none. */
  public record Pushed(
      @JsonInclude(JsonInclude.Include.NON_NULL) String source, String pushedAt, int dimension) {}

  public static FeaturesAnswer of(FeatureSummary f) {
    FeatureSummary.PersonaInUse p = f.persona();
    return new FeaturesAnswer(
        f.lastImpressionAt(),
        f.categoryAffinity(),
        f.tagAffinity(),
        f.interactions(),
        f.intents(),
        new Dwell(f.dwell().count(), f.dwell().meanMillis(), f.dwell().maxMillis()),
        new Session(f.session().active(), f.session().events(), f.session().startedAt()),
        f.hasVector(),
        p == null ? null : new Persona(p.categories(), p.tags(), p.hasVector(), p.inUse()),
        f.pushed() == null
            ? null
            : new Pushed(f.pushed().source(), f.pushed().pushedAt(), f.pushed().dimension()));
  }
}
