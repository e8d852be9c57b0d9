package dev.freshet.http.api;

import dev.freshet.actors.pool.Freshness;
import dev.freshet.actors.user.UserEntity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/users/{id}/state}: the user's live figures against the current pool, per category
 * too, and the user's features.
 */
public record UserStateAnswer(
    String userId,
    int seen,
    int unseen,
    int poolSize,
    double coverage,
    Map<String, UserStateAnswer.Pool> categories,
    List<Double> thresholdsReached,
    int favorites,
    long replays,
    FeaturesAnswer features,
    boolean consent) {

  /** One pool's freshness: active items, those the user has not seen, the seen share. */
  public record Pool(int poolSize, int unseen, double coverage) {
    public static Pool of(Freshness f) {
      return new Pool(f.poolSize(), f.unseen(), f.coverage());
    }
  }

  public static UserStateAnswer of(UserEntity.UserStateView view) {
    return new UserStateAnswer(
        view.userId(),
        view.seen(),
        view.unseen(),
        view.poolSize(),
        view.coverage(),
        categories(view.categories()),
        view.thresholdsReached(),
        view.favorites(),
        view.replays(),
        FeaturesAnswer.of(view.features()),
        view.consent());
  }

  /** In the entity's order (category names). */
  static Map<String, Pool> categories(Map<String, Freshness> byCategory) {
    Map<String, Pool> out = new LinkedHashMap<>();
    byCategory.forEach((category, f) -> out.put(category, Pool.of(f)));
    return out;
  }
}
