package dev.freshet.persistence;

import com.typesafe.config.Config;

/**
 * Where the PostgreSQL server is and how big the node's three pools are: the application's own
 * ({@code poolSize}: read models, feature snapshots, ranking events, catalog), the journal's Slick
 * pool ({@code journalPoolSize}, threads = connections: journal writes, recovery, snapshots) and
 * the read journal's ({@code readJournalPoolSize}: the projections' eventsByTag, history and
 * export). An empty {@code url} means "start the embedded server" (single-node mode).
 */
public record DatabaseSettings(
    String url,
    String user,
    String password,
    int poolSize,
    int journalPoolSize,
    int readJournalPoolSize) {

  public DatabaseSettings(String url, String user, String password, int poolSize) {
    this(url, user, password, poolSize, forCores(cores()), forCores(cores()));
  }

  /**
   * The pool sizes, when configured as 0, are derived from the processors this JVM may use ({@link
   * #forCores}).
   */
  public static DatabaseSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.db");
    int cores = cores();
    return new DatabaseSettings(
        c.getString("url"),
        c.getString("user"),
        c.getString("password"),
        sized(c.getInt("pool-size"), cores),
        sized(c.getInt("journal-pool-size"), cores),
        sized(c.getInt("read-journal-pool-size"), cores));
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static int sized(int configured, int cores) {
    if (configured < 0) throw new IllegalArgumentException("a pool size must not be negative");
    return configured > 0 ? configured : forCores(cores);
  }

  /**
   * A pool for {@code cores} processors: twice as many connections as cores, at least 4 (HikariCP's
   * "About Pool Sizing": cores × 2 plus the disks, and here PostgreSQL usually shares the cores). A
   * connection beyond that adds no throughput, only context switches, lock contention and round
   * trips waiting on each other; a request waits in the pool instead, which costs less.
   */
  public static int forCores(int cores) {
    return Math.max(4, 2 * cores);
  }

  public boolean external() {
    return !url.isBlank();
  }

  public DatabaseSettings withConnection(String newUrl, String newUser, String newPassword) {
    return new DatabaseSettings(
        newUrl, newUser, newPassword, poolSize, journalPoolSize, readJournalPoolSize);
  }

  @Override
  public String toString() {
    // never print the password
    return "DatabaseSettings[url="
        + url
        + ", user="
        + user
        + ", poolSize="
        + poolSize
        + ", journalPoolSize="
        + journalPoolSize
        + "]";
  }
}
