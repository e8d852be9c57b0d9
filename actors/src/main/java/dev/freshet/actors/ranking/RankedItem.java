package dev.freshet.actors.ranking;

import dev.freshet.actors.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * One served candidate. {@code position} is 1-based; {@code explain} maps feature name to its
 * contribution to {@code score}, and {@code sources} names where the candidate came from ({@link
 * CandidateSource}); both are empty unless asked for.
 */
public record RankedItem(
    String id,
    double score,
    int position,
    String reason,
    Map<String, Double> explain,
    List<String> sources)
    implements CborSerializable {

  public RankedItem {
    // absent when a node of an older version answered (rolling upgrade)
    sources = sources == null ? List.of() : List.copyOf(sources);
  }

  public RankedItem(
      String id, double score, int position, String reason, Map<String, Double> explain) {
    this(id, score, position, reason, explain, List.of());
  }
}
