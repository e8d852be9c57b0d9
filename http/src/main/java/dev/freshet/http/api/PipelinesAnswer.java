package dev.freshet.http.api;

import dev.freshet.streams.readmodel.PipelineStatus;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/admin/pipelines}: every read-model projection, with its offset, lag, throughput,
 * totals and last error ({@code null} when there is none).
 */
public record PipelinesAnswer(List<PipelinesAnswer.Pipeline> pipelines) {

  public record Pipeline(
      String projection,
      String tag,
      boolean healthy,
      long offset,
      double lagSeconds,
      long pendingEvents,
      double rowsPerSecond,
      long rowsTotal,
      long skippedTotal,
      long deadLettersTotal,
      long batchesTotal,
      String lastEventAt,
      String updatedAt,
      LastError lastError) {}

  public record LastError(String message, String at) {}

  public static PipelinesAnswer of(List<PipelineStatus> statuses) {
    return new PipelinesAnswer(statuses.stream().map(PipelinesAnswer::pipeline).toList());
  }

  private static Pipeline pipeline(PipelineStatus s) {
    return new Pipeline(
        s.projection(),
        s.tag(),
        s.healthy(),
        s.offset(),
        s.lagSeconds(),
        s.pendingEvents(),
        Math.round(s.rowsPerSecond() * 10) / 10.0, // one decimal
        s.rowsTotal(),
        s.skippedTotal(),
        s.deadLettersTotal(),
        s.batchesTotal(),
        text(s.lastEventAt()),
        text(s.updatedAt()),
        s.lastError() == null ? null : new LastError(s.lastError(), text(s.lastErrorAt())));
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
