package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.cluster.importer.BadRow;
import dev.freshet.cluster.importer.BatchSender;
import dev.freshet.cluster.importer.ImportBatches;
import dev.freshet.cluster.importer.ImportClient;
import dev.freshet.cluster.importer.ImportFile;
import dev.freshet.cluster.importer.ImportKind;
import dev.freshet.cluster.importer.ImportProgress;
import dev.freshet.cluster.importer.InputFormat;
import dev.freshet.cluster.importer.Refusals;
import dev.freshet.cluster.importer.RowCheck;
import dev.freshet.http.api.TimeWindow;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/freshet import --events FILE [--items FILE]}: loads history into a running node
 * through its HTTP API, so it takes the path of live traffic (the user entities, the journal, the
 * read models and popularity). Every row of both files is checked first, with the node's own
 * parsers, and nothing is sent while any is bad (unless {@code --skip-bad}). Then the items go in
 * (the catalog first: events name items), then the events in event-time order, in batches as full
 * as the API allows, each under an Idempotency-Key made of its content: re-running the same import
 * sends nothing twice, and the summary says how much was imported before.
 */
public final class ImportCommand {

  static final String USAGE =
      "usage: bin/freshet import --events FILE [--items FILE] [--url http://localhost:8080]"
          + " [--format csv|jsonl] [--item-prefix ml-] [--batch-size 1000] [--skip-bad]"
          + " [--dry-run]\n"
          + "  The API key is read from FRESHET_API_KEY (an admin key for --items; ingest suffices"
          + " for events).";

  /** Bad rows told before "… and N more". */
  private static final int BAD_ROWS_TOLD = 20;

  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

  record Options(
      Optional<Path> events,
      Optional<Path> items,
      URI url,
      Optional<InputFormat> format,
      String itemPrefix,
      int batchSize,
      boolean skipBad,
      boolean dryRun) {}

  private ImportCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), ConfigFactory.load(), System.out, System.err));
  }

  /**
   * Runs the command; answers the exit code (0 imported, 1 the node refused a batch or could not be
   * reached, 2 bad arguments or bad rows).
   */
  static int run(
      String[] args, Map<String, String> env, Config config, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = options(args, env);
    } catch (IllegalArgumentException e) {
      err.println("import: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    long start = System.nanoTime();
    RowCheck check =
        new RowCheck(
            TimeWindow.fromConfig(config),
            config.getInt("freshet.catalog.embedding-dimension"),
            System.currentTimeMillis());
    ImportFile itemFile, eventFile;
    try {
      itemFile = read(options.items(), ImportKind.ITEMS, options, check, err);
      eventFile = read(options.events(), ImportKind.EVENTS, options, check, err);
    } catch (ImportFile.Unreadable e) {
      err.println("import: " + e.getMessage() + "; nothing was sent");
      return 2;
    } catch (IOException e) {
      err.println("import: cannot read: " + e.getMessage() + "; nothing was sent");
      return 2;
    }
    long bad = bad(itemFile) + bad(eventFile);
    if (bad > 0) {
      tellBadRows(itemFile, eventFile, bad, err);
      if (!options.skipBad()) {
        err.printf(
            "import: %,d bad rows; nothing was sent. Fix them, or pass --skip-bad to import the"
                + " other rows.%n",
            bad);
        return 2;
      }
    }
    ImportBatches items = itemFile == null ? null : ImportBatches.items(itemFile.rows());
    ImportBatches events =
        eventFile == null ? null : ImportBatches.events(eventFile.rows(), options.batchSize());
    if (options.dryRun()) {
      out.printf(
          "Dry run: %s and %s would be sent to %s; nothing was sent.%n",
          planned(items, ImportKind.ITEMS), planned(events, ImportKind.EVENTS), options.url());
      return 0;
    }
    ImportProgress progress = new ImportProgress(err, System::nanoTime, PROGRESS_INTERVAL_NANOS);
    ImportClient client =
        new ImportClient(
            options.url(),
            Optional.ofNullable(env.get("FRESHET_API_KEY")).filter(k -> !k.isBlank()),
            ImportClient.Retries.DEFAULT,
            progress,
            duration -> Thread.sleep(duration.toMillis()));
    BatchSender.Tally itemTally = null, eventTally = null;
    try {
      client.requireReachable();
      BatchSender sender = new BatchSender(client, progress, System::nanoTime);
      if (items != null) itemTally = sender.send(items, itemFile.name());
      if (events != null) eventTally = sender.send(events, eventFile.name());
    } catch (BatchSender.Refused | ImportClient.Unavailable e) {
      err.println("import: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("import: interrupted; a re-run replays what was imported and sends the rest");
      return 1;
    }
    summary(out, options.url(), itemFile, eventFile, bad, itemTally, eventTally, progress, start);
    return 0;
  }

  static Options options(String[] args, Map<String, String> env) {
    Path events = null, items = null;
    String url = "http://localhost:" + env.getOrDefault("FRESHET_HTTP_PORT", "8080");
    InputFormat format = null;
    String itemPrefix = "ml-";
    int batchSize = ImportBatches.MAX_EVENTS;
    boolean skipBad = false, dryRun = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Path.of(CommandArgs.value(args, ++i, "--events"));
        case "--items" -> items = Path.of(CommandArgs.value(args, ++i, "--items"));
        case "--url" -> url = CommandArgs.value(args, ++i, "--url");
        case "--format" -> format = InputFormat.parse(CommandArgs.value(args, ++i, "--format"));
        case "--item-prefix" -> itemPrefix = CommandArgs.value(args, ++i, "--item-prefix");
        case "--batch-size" ->
            batchSize = CommandArgs.parsed(args, ++i, "--batch-size", Integer::parseInt);
        case "--skip-bad" -> skipBad = true;
        case "--dry-run" -> dryRun = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (events == null && items == null)
      throw new IllegalArgumentException("--events or --items is required");
    for (Path file : new Path[] {events, items}) {
      if (file != null && !Files.isRegularFile(file))
        throw new IllegalArgumentException("no such file " + file);
    }
    if (batchSize < 1 || batchSize > ImportBatches.MAX_EVENTS)
      throw new IllegalArgumentException(
          "--batch-size must be from 1 to " + ImportBatches.MAX_EVENTS + " (the API's limit)");
    return new Options(
        Optional.ofNullable(events),
        Optional.ofNullable(items),
        url(url),
        Optional.ofNullable(format),
        itemPrefix,
        batchSize,
        skipBad,
        dryRun);
  }

  private static URI url(String text) {
    try {
      URI url = URI.create(text);
      if (("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
          && url.getHost() != null
          && (url.getPath() == null || url.getPath().isEmpty() || url.getPath().equals("/"))
          && url.getQuery() == null) {
        return url;
      }
    } catch (IllegalArgumentException e) {
      // told below
    }
    throw new IllegalArgumentException(
        "--url must be a node's http(s)://host:port, such as http://localhost:8080, not \""
            + text
            + "\"");
  }

  /** {@code file} read and checked as {@code kind}, if given. */
  private static ImportFile read(
      Optional<Path> file, ImportKind kind, Options options, RowCheck check, PrintStream err)
      throws IOException, ImportFile.Unreadable {
    if (file.isEmpty()) return null;
    // messages name the file as it was given
    ImportFile read =
        ImportFile.read(
            file.get(), file.get().toString(), kind, options.format(), options.itemPrefix(), check);
    err.printf(
        "import: %s: %s, %,d %s%s%n",
        read.name(),
        read.format(),
        read.rows().size(),
        kind.field(),
        read.bad() == 0 ? "" : String.format(" and %,d bad rows", read.bad()));
    return read;
  }

  private static long bad(ImportFile file) {
    return file == null ? 0 : file.bad();
  }

  private static void tellBadRows(ImportFile items, ImportFile events, long bad, PrintStream err) {
    List<BadRow> rows = new ArrayList<>();
    if (items != null) rows.addAll(items.firstBad());
    if (events != null) rows.addAll(events.firstBad());
    rows.stream().limit(BAD_ROWS_TOLD).forEach(err::println);
    long told = Math.min(rows.size(), BAD_ROWS_TOLD);
    if (bad > told) err.printf("… and %,d more bad rows%n", bad - told);
    rows.stream()
        .flatMap(row -> Refusals.hint(row.message()).stream())
        .findFirst()
        .ifPresent(hint -> err.println("import: " + hint));
  }

  private static String planned(ImportBatches batches, ImportKind kind) {
    if (batches == null) return "no " + kind.field();
    int count = 0;
    for (ImportBatches.Batch ignored : batches) count++;
    return String.format("%,d %s in %,d batches", batches.rows(), kind.field(), count);
  }

  private static void summary(
      PrintStream out,
      URI url,
      ImportFile itemFile,
      ImportFile eventFile,
      long bad,
      BatchSender.Tally items,
      BatchSender.Tally events,
      ImportProgress progress,
      long startNanos) {
    out.printf("Imported into %s in %.1f s%n", url, (System.nanoTime() - startNanos) / 1e9);
    if (items != null) {
      out.printf(
          "  items:      %,d rows of %s: %,d upserted now, %,d imported before (%,d of %,d"
              + " batches)%n",
          items.rows(),
          itemFile.name(),
          items.applied(),
          items.replayedRows(),
          items.replayedBatches(),
          items.batches());
    }
    if (events != null) {
      out.printf(
          "  events:     %,d rows of %s: %,d accepted now%s, %,d imported before (%,d of %,d"
              + " batches)%n",
          events.rows(),
          eventFile.name(),
          events.applied(),
          events.notStored() == 0
              ? ""
              : String.format(" (%,d not stored: users without consent)", events.notStored()),
          events.replayedRows(),
          events.replayedBatches(),
          events.batches());
      out.printf(
          "  throughput: %,.0f events/s (%,d events in %.1f s)%n",
          events.rowsPerSecond(), events.rows(), events.nanos() / 1e9);
    }
    if (progress.rateLimitedWaits() > 0) {
      out.printf(
          "  waited:     %,d s on the node's rate limit (%,d times)%n",
          progress.rateLimitedFor().toSeconds(), progress.rateLimitedWaits());
    }
    out.printf("  bad rows:   %,d%s%n", bad, bad == 0 ? "" : " (left out: --skip-bad)");
  }
}
