package dev.freshet.streams;

import dev.freshet.actors.learning.CfModel;
import dev.freshet.actors.learning.ModelVersions;
import dev.freshet.actors.learning.ServingModels;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Keeps this node's {@link ServingModels} on the versions stored in PostgreSQL: the promoted one
 * (whichever node's training job promoted it) and every version a variant pins. Polls the promoted
 * version's number, which is one indexed row, and loads factors only when it changed. A failed read
 * leaves the node serving what it has and is tried again at the next tick.
 */
public final class ModelRefresh {

  private static final Logger log = LoggerFactory.getLogger(ModelRefresh.class);

  private final ModelVersions versions;
  private final ServingModels models;
  private final List<Long> pinned;

  public ModelRefresh(ModelVersions versions, ServingModels models, List<Long> pinned) {
    this.versions = versions;
    this.models = models;
    this.pinned = List.copyOf(pinned);
  }

  /**
   * Refreshes now and then every {@code interval}, on Pekko's dispatcher for blocking calls, until
   * the node shuts down (stopped with the node's services, before its database pool closes).
   */
  public static ModelRefresh start(
      ActorSystem<?> system,
      ModelVersions versions,
      ServingModels models,
      List<Long> pinned,
      Duration interval) {
    ModelRefresh refresh = new ModelRefresh(versions, models, pinned);
    ExecutionContextExecutor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    Cancellable ticks =
        system
            .scheduler()
            .scheduleWithFixedDelay(Duration.ZERO, interval, refresh::refreshLogged, blocking);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(),
            "stop-model-refresh",
            () -> {
              ticks.cancel();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
    return refresh;
  }

  /**
   * Loads the promoted version if it is not the one served, and any pinned version not loaded;
   * answers whether anything changed.
   */
  public synchronized boolean refresh() {
    boolean changed = false;
    OptionalLong promoted = versions.servingVersion();
    if (promoted.isPresent() && promoted.getAsLong() != models.promotedVersion()) {
      changed |= versions.find(promoted.getAsLong()).map(v -> load(v, true)).orElse(false);
    }
    for (long version : pinned) {
      if (models.pinnedVersions().contains(version)) continue;
      changed |= versions.find(version).map(v -> load(v, false)).orElse(false);
    }
    return changed;
  }

  private boolean load(ModelVersions.Version version, boolean promote) {
    CfModel model;
    try {
      model = CfModel.of(version);
    } catch (IllegalArgumentException e) {
      log.warn(
          "Model version {} cannot be served: ignored ({})", version.version(), e.getMessage());
      return false;
    }
    if (promote) models.promote(model);
    else models.pin(model);
    log.info(
        "Serving model version {} ({}, {} items, {} floats a row){}",
        version.version(),
        version.algorithm(),
        model.items(),
        version.factors(),
        promote ? "" : " for the variants that pin it");
    return true;
  }

  /** {@link #refresh()} whose failure is logged rather than thrown (the scheduled ticks). */
  public void refreshNow() {
    refreshLogged();
  }

  private void refreshLogged() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("Refreshing the served models failed (serving what was loaded): {}", e.toString());
    }
  }
}
