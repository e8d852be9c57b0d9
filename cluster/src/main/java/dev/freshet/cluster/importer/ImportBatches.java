package dev.freshet.cluster.importer;

import dev.freshet.persistence.Hashes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Rows packed into the API's batches, each as full as the API allows (rows and bytes), in a fixed
 * order: the same rows always make the same batches, byte for byte. Each batch's Idempotency-Key is
 * {@code import-} and the SHA-256 of its body, so a batch sent again, by this run's retry or by a
 * later run of the same import, is answered from the node's store and applied once.
 */
public final class ImportBatches implements Iterable<ImportBatches.Batch> {

  /** {@code POST /v1/events}: at most 1,000 events, a body of at most 64 KiB (SPEC C1). */
  public static final int MAX_EVENTS = 1_000;

  public static final int MAX_EVENTS_BYTES = 64 * 1024;

  /**
   * {@code POST /v1/items}: at most 1,000 items; the node takes 8 MiB bodies, half of that leaves
   * room for a node configured smaller.
   */
  public static final int MAX_ITEMS = 1_000;

  public static final int MAX_ITEMS_BYTES = 4 * 1024 * 1024;

  /**
   * A batch: its body, its key, and the file line of each of its rows (for the node's refusals).
   */
  public record Batch(ImportKind kind, byte[] body, String key, long[] lines) {
    public int size() {
      return lines.length;
    }
  }

  private final ImportKind kind;
  private final List<ImportRow> rows;
  private final int maxRows;
  private final int maxBytes;

  private ImportBatches(ImportKind kind, List<ImportRow> rows, int maxRows, int maxBytes) {
    this.kind = kind;
    this.rows = rows;
    this.maxRows = maxRows;
    this.maxBytes = maxBytes;
  }

  /** Events in event-time order, events of the same time in file order. */
  public static ImportBatches events(List<ImportRow> rows, int maxRows) {
    List<ImportRow> ordered = new ArrayList<>(rows);
    ordered.sort(Comparator.comparingLong(ImportRow::at).thenComparingLong(ImportRow::line));
    return new ImportBatches(ImportKind.EVENTS, ordered, maxRows, MAX_EVENTS_BYTES);
  }

  /** Items in file order (a later row of the same id wins, as in one upsert). */
  public static ImportBatches items(List<ImportRow> rows) {
    return new ImportBatches(ImportKind.ITEMS, rows, MAX_ITEMS, MAX_ITEMS_BYTES);
  }

  /** Batches as they are sent, each built when it is needed. */
  @Override
  public Iterator<Batch> iterator() {
    byte[] open = ("{\"" + kind.field() + "\":[").getBytes(StandardCharsets.UTF_8);
    byte[] close = "]}".getBytes(StandardCharsets.UTF_8);
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < rows.size();
      }

      @Override
      public Batch next() {
        if (!hasNext()) throw new NoSuchElementException();
        int from = next;
        long bytes = open.length + close.length + rows.get(next++).json().length;
        // a row too large on its own still goes, alone: the node's 413 then names it
        while (next < rows.size()
            && next - from < maxRows
            && bytes + 1 + rows.get(next).json().length <= maxBytes) {
          bytes += 1 + rows.get(next++).json().length;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream((int) bytes);
        body.writeBytes(open);
        long[] lines = new long[next - from];
        for (int i = from; i < next; i++) {
          if (i > from) body.write(',');
          body.writeBytes(rows.get(i).json());
          lines[i - from] = rows.get(i).line();
        }
        body.writeBytes(close);
        byte[] json = body.toByteArray();
        return new Batch(kind, json, "import-" + Hashes.sha256(json), lines);
      }
    };
  }

  public ImportKind kind() {
    return kind;
  }

  /** How many rows the batches hold. */
  public int rows() {
    return rows.size();
  }
}
