package dev.freshet.streams;

import dev.freshet.actors.learning.ModelVersions;
import dev.freshet.actors.learning.TimeHoldout;
import dev.freshet.actors.learning.Trainer;
import dev.freshet.persistence.JdbcInteractionRows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run, blocking (to be run off the serving threads): the events read model's
 * interactions of the last {@code window}, {@link Trainer}, the candidate recorded in {@link
 * ModelVersions} and promoted when it does at least as well as the version serving.
 */
public final class TrainingRun {

  private static final Logger log = LoggerFactory.getLogger(TrainingRun.class);

  /**
   * What a run did: the version recorded (empty when there was too little history), and its NDCG
   * and popularity's on the holdout (NaN without a version).
   */
  public record Result(
      Instant at,
      long rows,
      Optional<Long> version,
      boolean promoted,
      String reason,
      Duration took,
      double ndcg,
      double popularityNdcg) {}

  private final JdbcInteractionRows rows;
  private final ModelVersions versions;
  private final Trainer.Settings settings;
  private final Duration window;

  public TrainingRun(
      JdbcInteractionRows rows,
      ModelVersions versions,
      Trainer.Settings settings,
      Duration window) {
    this.rows = rows;
    this.versions = versions;
    this.settings = settings;
    this.window = window;
  }

  public Result run(Instant now) {
    long start = System.nanoTime();
    List<TimeHoldout.Row> read = new ArrayList<>();
    long n = rows.forEachSince(now.minus(window), read::add);
    int items = rows.itemBound();
    Optional<ModelVersions.Version> serving = versions.serving();
    Optional<Trainer.Outcome> outcome = Trainer.train(read, items, settings, serving, now);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (outcome.isEmpty()) {
      String reason = "no user has enough history to hold out (" + n + " interactions)";
      log.info("training skipped: {}", reason);
      return new Result(now, n, Optional.empty(), false, reason, took, Double.NaN, Double.NaN);
    }
    Trainer.Outcome o = outcome.get();
    long version = versions.record(o.version());
    if (o.promote()) versions.promote(version);
    took = Duration.ofNanos(System.nanoTime() - start);
    log.info(
        "training version={} rows={} users={} items={} ndcg={} popularityNdcg={} promoted={} millis={} reason=\"{}\"",
        version,
        n,
        o.version().users(),
        items,
        o.version().evaluation().ndcg(),
        o.version().evaluation().popularityNdcg(),
        o.promote(),
        took.toMillis(),
        o.reason());
    return new Result(
        now,
        n,
        Optional.of(version),
        o.promote(),
        o.reason(),
        took,
        o.version().evaluation().ndcg(),
        o.version().evaluation().popularityNdcg());
  }
}
