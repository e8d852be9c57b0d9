package dev.freshet.actors.user;

import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.pool.Freshness;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolLevels;
import dev.freshet.actors.pool.PoolLowSignal;
import dev.freshet.actors.pool.PoolSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a user's newly seen items (or a changed catalog) do to the user's pool: the new levels, the
 * messages for the pool coordinator (one signal per threshold crossed, the at-risk report) and the
 * freshness band the user now counts in. Pure: the entity persists the levels if they moved and
 * sends the messages once the write is durable.
 *
 * @param levels the levels after the change
 * @param moved whether they differ from the state's (then they are journaled)
 * @param messages what to tell the pool coordinator, in order
 * @param band the band the user counts in after the change ({@code null}: none)
 */
record PoolUpdate(
    PoolLevels levels,
    boolean moved,
    List<PoolCoordinator.Command> messages,
    FreshnessBands.Band band) {

  /**
   * Levels are taken twice: against the current catalog before the change (which re-arms thresholds
   * that new items brought coverage back under, even if nobody looked at the user meanwhile) and
   * after it (which fires those crossed now).
   */
  static PoolUpdate of(
      String userId,
      UserEntity.State state,
      int[] firstSeen,
      CatalogSnapshot catalog,
      UserEntitySettings settings,
      long now) {
    PoolSettings pool = settings.pool();
    Freshness before = Freshness.of(state.seen(), catalog);
    Freshness after = before.plusSeen(firstSeen, catalog.activeBitmap());
    PoolLevels was = state.pool();
    PoolLevels rearmed =
        new PoolLevels(was.above() & PoolLevels.of(before, pool).above(), was.atRisk());
    PoolLevels levels = PoolLevels.of(after, pool);
    List<PoolCoordinator.Command> messages = new ArrayList<>();
    for (PoolSettings.Threshold t : levels.crossedSince(rearmed, pool)) {
      String category =
          lowCategory(state, firstSeen, catalog, t, settings.features().halfLifeMillis(), now);
      messages.add(
          new PoolCoordinator.Signal(
              new PoolLowSignal(
                  userId, t.coverage(), t.wanted(), t.urgent(), category, after, now)));
    }
    if (levels.atRisk() != was.atRisk() || (levels.atRisk() && firstSeen.length > 0)) {
      messages.add(
          new PoolCoordinator.RiskReport(
              userId, after.unseen(), levels.atRisk(), catalog.denseIdBound(), now));
    }
    return new PoolUpdate(
        levels, !levels.equals(was), messages, state.band(after, pool.atRiskUnseen()));
  }

  /**
   * The report that takes a user off the coordinator's at-risk list (consent withdrawn, user
   * erased).
   */
  static PoolCoordinator.RiskReport leftRisk(String userId, CatalogSnapshot catalog, long now) {
    return new PoolCoordinator.RiskReport(userId, 0, false, catalog.denseIdBound(), now);
  }

  /**
   * The user's favourite category when it is running at least as low as the crossed threshold, so
   * that the coordinator asks for items of it; {@code null} (any category) otherwise.
   */
  private static String lowCategory(
      UserEntity.State state,
      int[] firstSeen,
      CatalogSnapshot catalog,
      PoolSettings.Threshold t,
      long halfLifeMillis,
      long now) {
    String favourite =
        state.features().relativeCategoryAffinity(now, halfLifeMillis, 1.0).entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElse(null);
    if (favourite == null) return null;
    Freshness inCategory = Freshness.inCategory(state.seen(), catalog, favourite, firstSeen);
    return inCategory.poolSize() > 0 && inCategory.coverage() >= t.coverage() ? favourite : null;
  }
}
