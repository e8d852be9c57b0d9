package dev.freshet.actors.user;

import com.typesafe.config.Config;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.pool.PoolSettings;
import dev.freshet.actors.ranking.RankingSettings;

/**
 * {@code freshet.user} (how often to snapshot, how many snapshots to keep, how many read-model
 * tags, whether a batch is journaled as the two events of older versions, whether users with
 * nothing journaled leave memory after each read), {@code freshet.catalog.embedding-dimension} (the
 * length of a pushed user vector) and {@code freshet.features} (how the real-time features decay
 * and are bounded) and {@code freshet.ranking} (how the entity ranks for its user) and {@code
 * freshet.pool} (when its pool runs low).
 */
public record UserEntitySettings(
    int snapshotEvery,
    int keepSnapshots,
    int tagSlices,
    boolean legacyBatchEvents,
    boolean passivatePristine,
    int embeddingDimension,
    FeatureSettings features,
    RankingSettings ranking,
    PoolSettings pool) {

  public static UserEntitySettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.user");
    return new UserEntitySettings(
        c.getInt("snapshot-every"),
        c.getInt("keep-snapshots"),
        c.getInt("tag-slices"),
        c.getBoolean("legacy-batch-events"),
        c.getBoolean("passivate-pristine"),
        config.getInt("freshet.catalog.embedding-dimension"),
        FeatureSettings.fromConfig(config),
        RankingSettings.fromConfig(config),
        PoolSettings.fromConfig(config));
  }
}
