package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import dev.freshet.streams.PositionPropensity;
import dev.freshet.streams.TrainingExport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * {@code bin/freshet export-training --since T --out FILE}: writes the training rows of every
 * ranking shown since {@code T} (see {@link TrainingExport}) and advances the extraction checkpoint
 * that retention waits for. It reads the database the node uses: {@code FRESHET_DB_URL} if set,
 * else the embedded server of a node running on the same data directory, else it starts that
 * embedded server itself for the time of the export.
 */
public final class ExportTrainingCommand {

  private ExportTrainingCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, ConfigFactory.load(), System.out, System.err));
  }

  /** Runs the command; answers the exit code (0 done, 1 failed, 2 bad arguments). */
  static int run(String[] args, Config config, PrintStream out, PrintStream err) {
    Instant since = null;
    Path file = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--since" -> since = instant(CommandArgs.value(args, ++i, "--since"));
          case "--out" -> file = Path.of(CommandArgs.value(args, ++i, "--out"));
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (since == null || file == null)
        throw new IllegalArgumentException("--since and --out are required");
    } catch (IllegalArgumentException e) {
      err.println("export-training: " + e.getMessage());
      err.println(
          "usage: bin/freshet export-training --since <ISO instant or date, e.g. 2026-11-01> --out FILE");
      return 2;
    }
    try (Connected db = connect(config)) {
      TrainingExport export =
          new TrainingExport(
              db.database().dataSource(),
              Clock.systemUTC(),
              config.getDuration("freshet.export.attribution-window"),
              config.getDouble("freshet.export.max-weight"));
      TrainingExport.Result result = export.export(since, file);
      out.printf(
          "Wrote %d rows (%d clicked) for rankings shown from %s until %s to %s%n",
          result.rows(), result.clicked(), result.since(), result.until(), file.toAbsolutePath());
      out.println("position  shown  clicked  ctr       propensity  weight");
      for (PositionPropensity.Row row : result.propensities()) {
        out.printf(
            "%8d  %5d  %7d  %.6f  %.6f    %.3f%n",
            row.position(), row.shown(), row.clicked(), row.ctr(), row.propensity(), row.weight());
      }
      out.println(
          "Extraction checkpoint: "
              + TrainingExport.checkpoint(db.database().dataSource())
                  .map(Instant::toString)
                  .orElse("none"));
      return 0;
    } catch (RuntimeException e) {
      err.println("export-training failed: " + e.getMessage());
      e.printStackTrace(err);
      return 1;
    }
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--since: '" + text + "' is neither an ISO instant nor a date");
      }
    }
  }

  /** The node's database for a command run beside (or instead of) the node; closing releases it. */
  record Connected(Database database, EmbeddedDatabase embedded) implements AutoCloseable {
    @Override
    public void close() {
      database.close();
      if (embedded != null) embedded.close();
    }
  }

  static Connected connect(Config config) {
    DatabaseSettings settings = DatabaseSettings.fromConfig(config);
    if (settings.external()) return new Connected(Database.open(settings), null);
    Path dataDirectory = FreshetSettings.fromConfig(config).dataDir().resolve("postgres");
    Optional<Integer> running = runningPort(dataDirectory);
    if (running.isPresent()) {
      return new Connected(
          Database.open(
              settings.withConnection(
                  "jdbc:postgresql://localhost:" + running.get() + "/postgres", "postgres", "")),
          null);
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(dataDirectory, 0);
    try {
      return new Connected(Database.open(embedded.settings(settings)), embedded);
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  /**
   * The port of a PostgreSQL server already running on {@code dataDirectory} (a node's embedded
   * one): the fourth line of its {@code postmaster.pid}, when the process it names is alive.
   */
  static Optional<Integer> runningPort(Path dataDirectory) {
    Path pid = dataDirectory.resolve("postmaster.pid");
    try {
      if (!Files.isRegularFile(pid)) return Optional.empty();
      List<String> lines = Files.readAllLines(pid);
      if (lines.size() < 4) return Optional.empty();
      long process = Long.parseLong(lines.get(0).trim());
      if (ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.of(Integer.parseInt(lines.get(3).trim()));
      }
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
