package dev.freshet.qdrant;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;

/** Guava's futures as {@link CompletableFuture}s, and gRPC failures named. */
final class Futures {
  private Futures() {}

  static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    com.google.common.util.concurrent.Futures.addCallback(
        future,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T value) {
            result.complete(value);
          }

          @Override
          public void onFailure(Throwable failure) {
            result.completeExceptionally(failure);
          }
        },
        MoreExecutors.directExecutor());
    return result;
  }

  /** The gRPC status code of the failure or of one of its causes, UNKNOWN if none. */
  static Status.Code code(Throwable failure) {
    return Status.fromThrowable(failure).getCode();
  }
}
