package dev.freshet.http.edge;

import com.typesafe.config.Config;
import dev.freshet.http.api.TimeWindow;
import java.time.Duration;

/**
 * {@code freshet.http}: where the edge listens (the public API on {@code port}, the internal API on
 * {@code internal.port}, both on {@code host}) and how much it accepts.
 */
public record HttpSettings(
    String host,
    int port,
    int internalPort,
    long maxBodyBytes,
    long maxCatalogBodyBytes,
    Duration askTimeout,
    int embeddingDimension,
    TimeWindow timeWindow) {

  public static HttpSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.http");
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getInt("internal.port"),
        c.getBytes("max-body-size"),
        c.getBytes("max-catalog-body-size"),
        c.getDuration("ask-timeout"),
        config.getInt("freshet.catalog.embedding-dimension"),
        TimeWindow.fromConfig(config));
  }
}
