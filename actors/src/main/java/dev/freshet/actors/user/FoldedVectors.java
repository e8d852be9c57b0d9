package dev.freshet.actors.user;

import dev.freshet.actors.features.ItemWeights;
import dev.freshet.actors.learning.CfModel;
import dev.freshet.actors.learning.ServingModels;
import dev.freshet.actors.ranking.CfScores;
import dev.freshet.actors.ranking.UserCf;
import dev.freshet.actors.ranking.Variant;
import java.util.Optional;

/**
 * One user's collaborative-filtering vectors as their entity keeps them: folded in from the user's
 * recent items ({@link ItemWeights}) against the model a variant ranks with, and folded in again
 * only when the items or the model changed. Not part of the persistent state: a model version is
 * the node's, and recovery folds in again on first use. One per entity, used by its thread only.
 */
final class FoldedVectors {

  /** Versions kept at once: the promoted one and the odd pinned one. */
  private static final int KEPT = 4;

  private final ServingModels models;
  private final Folded[] kept = new Folded[KEPT];
  private int next;

  private record Folded(long version, ItemWeights items, long changes, CfScores scores) {}

  FoldedVectors(ServingModels models) {
    this.models = models;
  }

  /** The user's vectors for a ranking of {@code items}' owner (a basis state's, maybe empty). */
  UserCf of(ItemWeights items) {
    return variant -> scores(items, variant);
  }

  /**
   * Folds the promoted model in after the user's items changed, so that the next ranking finds the
   * vector ready: a user's CF vector follows every event, not the last training.
   */
  void refresh(ItemWeights items) {
    models.promoted().ifPresent(model -> vector(model, items));
  }

  private CfScores scores(ItemWeights items, Variant variant) {
    Optional<CfModel> model = models.forVersion(variant.model());
    if (model.isEmpty()) return CfScores.NONE;
    return vector(model.get(), items);
  }

  /** The user's vector and scale; none when the model knows nothing the user took to. */
  private CfScores vector(CfModel model, ItemWeights items) {
    for (Folded f : kept) {
      if (f != null
          && f.version() == model.version()
          && f.items() == items
          && f.changes() == items.changes()) return f.scores();
    }
    CfScores scores = CfScores.NONE;
    if (items.size() > 0) { // a user without items has nothing to fold in, and costs nothing
      long start = System.nanoTime();
      int[] ids = items.items();
      float[] weights = items.weights();
      float[] vector = model.foldIn(ids, weights);
      double scale = model.scale(vector, ids, weights);
      models.foldedIn(System.nanoTime() - start);
      if (scale > 0) scores = new CfScores(model, vector, scale);
    }
    int slot = slotOf(model.version());
    kept[slot] = new Folded(model.version(), items, items.changes(), scores);
    return scores;
  }

  /** The slot of this version's earlier vector, else the next in turn. */
  private int slotOf(long version) {
    for (int i = 0; i < KEPT; i++) if (kept[i] != null && kept[i].version() == version) return i;
    int slot = next;
    next = (next + 1) % KEPT;
    return slot;
  }
}
