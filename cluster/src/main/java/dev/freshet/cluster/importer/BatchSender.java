package dev.freshet.cluster.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends one file's batches in order, one at a time (a user's events reach its entity in event-time
 * order), and counts what the node answered. A refusal stops the import, told by the line of the
 * row it names.
 */
public final class BatchSender {

  /** What the batches of one file came to. */
  public record Tally(
      long rows,
      long batches,
      long applied,
      long replayedRows,
      long replayedBatches,
      long notStored,
      long nanos) {
    public double rowsPerSecond() {
      return nanos == 0 ? 0 : rows / (nanos / 1e9);
    }
  }

  /** The node refused a batch; the message names the file, line and reason. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ROW_FIELD = Pattern.compile("(events|items)\\[(\\d+)\\].*");

  private final ImportClient client;
  private final ImportProgress progress;
  private final LongSupplier nanos;

  public BatchSender(ImportClient client, ImportProgress progress, LongSupplier nanos) {
    this.client = client;
    this.progress = progress;
    this.nanos = nanos;
  }

  /** Sends every batch of {@code batches}, read from the file {@code name}. */
  public Tally send(ImportBatches batches, String name)
      throws Refused, ImportClient.Unavailable, InterruptedException {
    long start = nanos.getAsLong();
    long rows = 0, count = 0, applied = 0, replayedRows = 0, replayedBatches = 0, notStored = 0;
    String kind = batches.kind().field();
    for (ImportBatches.Batch batch : batches) {
      ImportClient.Answer answer = client.send(batch);
      if (answer instanceof ImportClient.Refused refused) {
        throw new Refused(told(refused, batch, name, count));
      }
      ImportClient.Applied done = (ImportClient.Applied) answer;
      count++;
      rows += batch.size();
      if (done.replayed()) {
        replayedBatches++;
        replayedRows += batch.size();
      } else {
        applied += done.body().path(kind.equals("items") ? "upserted" : "accepted").asLong();
        notStored += done.body().path("notStored").asLong();
      }
      progress.sent(kind, rows, batches.rows(), replayedRows, start);
    }
    return new Tally(
        rows, count, applied, replayedRows, replayedBatches, notStored, nanos.getAsLong() - start);
  }

  /** A refusal in the file's terms: the row's line when the node named a row, else the batch's. */
  static String told(
      ImportClient.Refused refused, ImportBatches.Batch batch, String name, long sent) {
    String after =
        sent == 0
            ? " Nothing of this file was imported."
            : " The "
                + sent
                + " batches before it are imported (a re-run replays them); the rest were not sent.";
    if (refused.status() == 401 || refused.status() == 403) {
      return "the node refused the API key: "
          + refused.message()
          + " (FRESHET_API_KEY: items need an admin key, events an ingest or admin key)."
          + after;
    }
    Matcher row = refused.field() == null ? null : ROW_FIELD.matcher(refused.field());
    if (row != null && row.matches()) {
      int index = Integer.parseInt(row.group(2));
      if (index < batch.size()) {
        return name
            + ":"
            + batch.lines()[index]
            + ": "
            + Refusals.inFileTerms(refused.field(), refused.message(), row(batch, index))
            + " (the node refused it: "
            + refused.status()
            + " "
            + refused.code()
            + ")."
            + Refusals.hint(refused.message()).map(h -> " " + h + ".").orElse("")
            + after;
      }
    }
    return name
        + ": a batch of "
        + batch.size()
        + " rows, the first at line "
        + batch.lines()[0]
        + ": the node refused it: "
        + refused.status()
        + " "
        + refused.message()
        + "."
        + after;
  }

  private static Row row(ImportBatches.Batch batch, int index) {
    try {
      JsonNode body = JSON.readTree(batch.body());
      return new Row((ObjectNode) body.path(batch.kind().field()).get(index), Map.of());
    } catch (IOException e) {
      throw new IllegalStateException("a batch the importer wrote is JSON", e);
    }
  }
}
