package dev.freshet.actors.learning;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The model versions this node serves: the promoted one, and any a variant pins (an A/B test of
 * models). Filled by the node's model refresh, read by every user entity; a version is swapped in
 * whole, so a ranking sees one model throughout.
 */
public final class ServingModels {

  private volatile CfModel promoted;
  private final Map<Long, CfModel> pinned = new ConcurrentHashMap<>();
  private final LongAdder foldIns = new LongAdder();
  private final LongAdder foldInNanos = new LongAdder();

  /** A node without models (learning off, nothing trained yet). */
  public static ServingModels none() {
    return new ServingModels();
  }

  public Optional<CfModel> promoted() {
    return Optional.ofNullable(promoted);
  }

  /**
   * The model a variant ranks with: the version it pins, else the promoted one. A pinned version
   * not loaded (yet, or no longer stored) gives none rather than another model, so that an A/B test
   * of models never silently compares a model with itself.
   */
  public Optional<CfModel> forVersion(Optional<Long> pin) {
    return pin.isPresent() ? Optional.ofNullable(pinned.get(pin.get())) : promoted();
  }

  public void promote(CfModel model) {
    promoted = model;
  }

  public void pin(CfModel model) {
    pinned.put(model.version(), model);
  }

  /** The promoted version's number, 0 while none serves. */
  public long promotedVersion() {
    CfModel m = promoted;
    return m == null ? 0 : m.version();
  }

  /** Counts one user's fold-in and its time, for the node's metrics. */
  public void foldedIn(long nanos) {
    foldIns.increment();
    foldInNanos.add(nanos);
  }

  /** Fold-ins done on this node since it started. */
  public long foldIns() {
    return foldIns.sum();
  }

  /** Their total time. */
  public long foldInNanos() {
    return foldInNanos.sum();
  }

  /** The pinned versions loaded. */
  public java.util.Set<Long> pinnedVersions() {
    return java.util.Set.copyOf(pinned.keySet());
  }
}
