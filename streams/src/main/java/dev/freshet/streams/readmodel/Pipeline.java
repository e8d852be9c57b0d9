package dev.freshet.streams.readmodel;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** A long-running stream that a {@link ReadModelDaemon} runs once in the cluster. */
public interface Pipeline {

  /** Runs until {@link #drain()}; completes once the work in hand is committed. */
  CompletionStage<Done> run();

  /** Stops taking new work; what is in hand is still finished. */
  void drain();
}
