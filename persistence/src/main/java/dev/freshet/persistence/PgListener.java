package dev.freshet.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a PostgreSQL NOTIFY channel on one connection of its own and hands each payload to
 * {@code onPayload}. Notifications sent while the connection was down are lost, so after every
 * reconnect {@code onReconnect} runs (callers drop whatever they cache).
 */
public final class PgListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgListener.class);
  private static final int POLL_MILLIS = 500;

  private final DataSource dataSource;
  private final String channel;
  private final Consumer<String> onPayload;
  private final Runnable onReconnect;
  private final Thread thread;
  private volatile boolean running = true;

  private PgListener(
      DataSource dataSource, String channel, Consumer<String> onPayload, Runnable onReconnect) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.onPayload = onPayload;
    this.onReconnect = onReconnect;
    this.thread = new Thread(this::run, "pg-listen-" + channel);
    this.thread.setDaemon(true);
  }

  public static PgListener start(
      DataSource dataSource, String channel, Consumer<String> onPayload, Runnable onReconnect) {
    PgListener listener = new PgListener(dataSource, channel, onPayload, onReconnect);
    listener.thread.start();
    return listener;
  }

  private void run() {
    boolean first = true;
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        PGConnection pg = c.unwrap(PGConnection.class);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        if (!first) onReconnect.run();
        first = false;
        while (running) {
          PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
          if (notifications == null) continue;
          for (PGNotification n : notifications) onPayload.accept(n.getParameter());
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) return;
        log.warn("Listening on {} failed; reconnecting in 1 s", channel, e);
        first = false; // whatever was sent meanwhile is lost: the reconnect must say so
        sleep();
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
