package dev.freshet.actors.retrieval;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.CircuitBreakerOpenException;

/**
 * The degradation cascade in front of the vector indexes: a remote index (Qdrant, which answers
 * within its own timeout and circuit breaker), then the embedded index if it is ready, then nothing
 * (rankings fall back to popularity and the user's state). It always answers; an answer that did
 * not come from the first choice says why ({@link Result#degraded}), and {@link LookupMetrics}
 * counts it.
 */
public final class VectorLookup {

  /** Neighbours, and why they are not the first choice's when they are not. */
  public record Result(Neighbours neighbours, Optional<String> degraded) {
    static Result of(Neighbours neighbours) {
      return new Result(neighbours, Optional.empty());
    }
  }

  /** What the lookups did, for /metrics. */
  public interface LookupMetrics {
    /** One index answered in {@code nanos}. */
    void answered(String kind, long nanos);

    /** One index could not answer, for {@code reason} (a short code). */
    void failed(String kind, String reason);

    /** An answer was degraded, for {@code reason} (the first failure's code). */
    void degraded(String reason);

    LookupMetrics NONE =
        new LookupMetrics() {
          @Override
          public void answered(String kind, long nanos) {}

          @Override
          public void failed(String kind, String reason) {}

          @Override
          public void degraded(String reason) {}
        };
  }

  private final Optional<VectorIndex> remote;
  private final Optional<VectorIndex> embedded;
  private final LookupMetrics metrics;

  /**
   * @param remote the first choice when configured; it bounds its own calls (a timeout and a
   *     circuit breaker, whose state its status reports)
   * @param embedded the node's own index: the first choice without a remote one, else the fallback
   */
  public VectorLookup(
      Optional<VectorIndex> remote, Optional<VectorIndex> embedded, LookupMetrics metrics) {
    this.remote = remote;
    this.embedded = embedded;
    this.metrics = metrics;
  }

  /** No index at all: every lookup answers nothing, and that is not a degradation. */
  public static VectorLookup none() {
    return new VectorLookup(Optional.empty(), Optional.empty(), LookupMetrics.NONE);
  }

  public Optional<VectorIndex> remote() {
    return remote;
  }

  public Optional<VectorIndex> embedded() {
    return embedded;
  }

  /**
   * The remote index's breaker: {@code closed}, {@code open}, {@code half-open}; empty without a
   * remote index.
   */
  public Optional<String> breakerState() {
    return remote
        .map(index -> index.status().state())
        .filter(s -> s.equals("open") || s.equals("half-open") || s.equals("closed"));
  }

  public CompletionStage<Result> nearest(NeighbourQuery query) {
    if (remote.isEmpty()) return fromEmbedded(query, null);
    VectorIndex index = remote.get();
    long start = System.nanoTime();
    CompletionStage<Neighbours> call;
    try {
      call = index.nearest(query);
    } catch (RuntimeException failure) {
      call = CompletableFuture.failedFuture(failure);
    }
    return call.handle(
            (neighbours, failure) -> {
              if (failure == null) {
                metrics.answered(index.kind(), System.nanoTime() - start);
                return CompletableFuture.completedFuture(Result.of(neighbours));
              }
              String reason = index.kind() + "-" + reasonOf(failure);
              metrics.failed(index.kind(), reason);
              return fromEmbedded(query, reason);
            })
        .thenCompose(stage -> stage);
  }

  /**
   * The embedded index's answer; {@code reason} is why the remote one did not answer, if it did
   * not.
   */
  private CompletionStage<Result> fromEmbedded(NeighbourQuery query, String reason) {
    if (embedded.isEmpty())
      return CompletableFuture.completedFuture(degraded(Neighbours.none(), reason, "popularity"));
    VectorIndex index = embedded.get();
    if ("empty".equals(index.status().state())) {
      // no item has an embedding: there is nothing a vector could find, which degrades nothing
      return CompletableFuture.completedFuture(degraded(Neighbours.none(), reason, "popularity"));
    }
    long start = System.nanoTime();
    try {
      Neighbours neighbours = index.nearest(query).toCompletableFuture().join();
      metrics.answered(index.kind(), System.nanoTime() - start);
      return CompletableFuture.completedFuture(degraded(neighbours, reason, "embedded"));
    } catch (RuntimeException failure) {
      String own = index.kind() + "-" + reasonOf(failure);
      metrics.failed(index.kind(), own);
      return CompletableFuture.completedFuture(
          degraded(Neighbours.none(), reason == null ? own : reason + ", " + own, "popularity"));
    }
  }

  private Result degraded(Neighbours neighbours, String reason, String answeredBy) {
    if (reason == null) return Result.of(neighbours);
    metrics.degraded(reason.split(",")[0]);
    String how =
        answeredBy.equals("embedded")
            ? "answered from the embedded index"
            : "ranked from popularity and the user's state";
    return new Result(neighbours, Optional.of(reason + ": " + how));
  }

  /**
   * A short code for a failure: {@code timeout}, {@code circuit-open}, {@code building}, {@code
   * failed}.
   */
  static String reasonOf(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null)
      cause = cause.getCause();
    if (cause instanceof CircuitBreakerOpenException) return "circuit-open";
    if (cause instanceof TimeoutException) return "timeout";
    if (cause instanceof IndexUnavailable unavailable) {
      String reason = unavailable.reason();
      if (reason.contains("building")) return "building";
      if (reason.contains("circuit open")) return "circuit-open";
      if (reason.contains("did not answer within") || reason.contains("timed out"))
        return "timeout";
    }
    return "failed";
  }
}
