package dev.freshet.actors.ranking;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.UserFeatures;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.user.SeenSet;

/**
 * Everything a ranking reads: the catalog, live popularity, and the user's seen set and features.
 */
public record RankingContext(
    CatalogSnapshot catalog,
    PopularityBoard popularity,
    SeenSet seen,
    UserFeatures features,
    long now,
    FeatureSettings featureSettings) {}
