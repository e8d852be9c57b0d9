package dev.freshet.cluster;

import dev.freshet.persistence.EmbeddedDatabase;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/freshet postgres}: the PostgreSQL server a single node embeds, started on its own, so
 * that several nodes on one machine (README, "three nodes on one machine") can share it without a
 * PostgreSQL installation. It runs until Ctrl-C; its data stays in the directory for the next
 * start.
 */
public final class PostgresCommand {

  private PostgresCommand() {}

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("postgres: " + e.getMessage());
      System.err.println(
          "usage: bin/freshet postgres [--port 5433] [--dir ./data/postgres-shared]");
      System.exit(2);
      return;
    }
    EmbeddedDatabase db = EmbeddedDatabase.start(options.dir(), options.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  db.close();
                  stopped.countDown();
                },
                "postgres-stop"));
    describe(db, System.out);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void describe(EmbeddedDatabase db, PrintStream out) {
    out.println();
    out.println("PostgreSQL is running on port " + db.port() + ", data in " + db.dataDirectory());
    out.println("Nodes use it with:");
    out.println("  export FRESHET_DB_URL=jdbc:postgresql://127.0.0.1:" + db.port() + "/postgres");
    out.println("  export FRESHET_DB_USER=postgres FRESHET_DB_PASSWORD=");
    out.println("Press Ctrl-C to stop.");
  }

  record Options(int port, Path dir) {
    static Options parse(String[] args) {
      int port = 5433;
      Path dir = Path.of("data", "postgres-shared");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = CommandArgs.parsed(args, ++i, "--port", Integer::parseInt);
          case "--dir" -> dir = Path.of(CommandArgs.value(args, ++i, "--dir"));
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (port < 1 || port > 65535)
        throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
      return new Options(port, dir);
    }
  }
}
