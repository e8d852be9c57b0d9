package dev.freshet.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The application's connection pool to PostgreSQL and the schema migrations that run on start. */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;
  private final DatabaseSettings settings;

  private Database(HikariDataSource dataSource, DatabaseSettings settings) {
    this.dataSource = dataSource;
    this.settings = settings;
  }

  /** Opens the pool and brings the schema up to date (Flyway; safe to run on every node). */
  public static Database open(DatabaseSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setPoolName("freshet");
    Database database = new Database(new HikariDataSource(config), settings);
    database.migrate();
    return database;
  }

  private void migrate() {
    var result =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            .load()
            .migrate();
    if (result.migrationsExecuted > 0) {
      log.info(
          "Schema migrated to version {} ({} migrations applied)",
          result.targetSchemaVersion,
          result.migrationsExecuted);
    } else {
      log.info("Schema up to date");
    }
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  /** True when a connection can be had and answers within a second. */
  public boolean isHealthy() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
