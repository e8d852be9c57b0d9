package dev.freshet.actors.ranking;

/**
 * Where served and shadow rankings go once computed, so that later clicks carrying a rankingId can
 * be joined to what was shown (e.g. a write-behind stream to PostgreSQL). Never blocks the
 * response.
 */
public interface RankingLog {

  void served(String userId, Ranking ranking);

  /** A ranking of the shadow variant: computed for comparison, never shown to the user. */
  void shadow(String userId, Ranking ranking);
}
