package dev.freshet.cluster;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/** {@code freshet.*} settings of the application itself. */
public record FreshetSettings(
    Path dataDir,
    int embeddedDbPort,
    boolean demoCatalog,
    int demoCatalogSize,
    Duration catalogRefreshInterval,
    boolean joinSelf,
    boolean managementEnabled,
    int embeddingDimension) {

  public static FreshetSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet");
    return new FreshetSettings(
        Path.of(c.getString("data-dir")),
        c.getInt("embedded-db.port"),
        c.getBoolean("demo-catalog.enabled"),
        c.getInt("demo-catalog.size"),
        c.getDuration("catalog.refresh-interval"),
        c.getBoolean("cluster.join-self"),
        c.getBoolean("management.enabled"),
        c.getInt("catalog.embedding-dimension"));
  }
}
