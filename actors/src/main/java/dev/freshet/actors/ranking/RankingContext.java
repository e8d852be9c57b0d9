package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.UserFeatures;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.user.SeenSet;

/**
 * Everything a ranking reads: the catalog, live popularity, and the user's seen set, features and
 * collaborative-filtering vectors.
 */
public record RankingContext(
    CatalogSnapshot catalog,
    PopularityBoard popularity,
    SeenSet seen,
    UserFeatures features,
    long now,
    FeatureSettings featureSettings,
    UserCf cf) {

  public RankingContext {
    cf = cf == null ? UserCf.NONE : cf;
  }

  /** A ranking without collaborative filtering. */
  public RankingContext(
      CatalogSnapshot catalog,
      PopularityBoard popularity,
      SeenSet seen,
      UserFeatures features,
      long now,
      FeatureSettings featureSettings) {
    this(catalog, popularity, seen, features, now, featureSettings, UserCf.NONE);
  }
}
