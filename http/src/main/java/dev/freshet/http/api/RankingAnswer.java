package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.freshet.actors.ranking.RankedItem;
import dev.freshet.actors.ranking.Ranking;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/users/{id}/recommendations} as API.md shows it, translated from the entity's
 * ranking; {@code degraded} (why the vector index was not used) only when it was not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RankingAnswer(
    String rankingId, String variant, List<RankingAnswer.Item> items, String degraded) {

  /**
   * One ranked item; {@code explain} (each feature's contribution) and {@code sources} (where the
   * candidate came from) only when asked for.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(
      String id,
      double score,
      int position,
      String reason,
      Map<String, Double> explain,
      List<String> sources) {}

  public static RankingAnswer of(Ranking ranking, boolean explain) {
    List<Item> items =
        ranking.items().stream()
            .map(
                (RankedItem i) ->
                    new Item(
                        i.id(),
                        i.score(),
                        i.position(),
                        i.reason(),
                        explain ? i.explain() : null,
                        explain ? i.sources() : null))
            .toList();
    return new RankingAnswer(ranking.rankingId(), ranking.variant(), items, ranking.degraded());
  }
}
