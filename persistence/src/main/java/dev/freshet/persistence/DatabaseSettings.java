package dev.freshet.persistence;

import com.typesafe.config.Config;

/**
 * Where the PostgreSQL server is and how big the application's own pool is. An empty {@code url}
 * means "start the embedded server" (single-node mode).
 */
public record DatabaseSettings(String url, String user, String password, int poolSize) {

  public static DatabaseSettings fromConfig(Config config) {
    Config c = config.getConfig("freshet.db");
    return new DatabaseSettings(
        c.getString("url"), c.getString("user"), c.getString("password"), c.getInt("pool-size"));
  }

  public boolean external() {
    return !url.isBlank();
  }

  public DatabaseSettings withConnection(String newUrl, String newUser, String newPassword) {
    return new DatabaseSettings(newUrl, newUser, newPassword, poolSize);
  }

  @Override
  public String toString() {
    // never print the password
    return "DatabaseSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
  }
}
