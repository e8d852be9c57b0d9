package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.user.Favorites;
import dev.freshet.actors.user.UserEntity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's favourites, oldest first, each item as API.md shows items plus when it was added. The
 * owner's view ({@code GET}/{@code PUT}/{@code DELETE /v1/users/{id}/favorites…}) has {@code
 * userId} and {@code changed}; a shared link's view has the items only. Items deleted from the
 * catalog since are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FavoritesAnswer(
    String userId, Boolean changed, List<FavoritesAnswer.Favorite> items) {

  public record Favorite(@JsonUnwrapped ItemAnswer item, String addedAt) {}

  /** {@code POST /v1/users/{id}/favorites/share}: a new read-only link. */
  public record Link(String token, String url) {
    public static Link of(String token) {
      return new Link(token, "/v1/shared/favorites/" + token);
    }
  }

  /** {@code DELETE /v1/users/{id}/favorites/share}: how many links stopped working. */
  public record LinksRevoked(String userId, int revoked) {}

  /** The owner's view. */
  public static FavoritesAnswer of(
      String userId, UserEntity.FavoritesView view, CatalogSnapshot catalog) {
    return new FavoritesAnswer(userId, view.changed(), items(view, catalog));
  }

  /** A shared link's view: anonymous, so without the owner's id. */
  public static FavoritesAnswer shared(UserEntity.FavoritesView view, CatalogSnapshot catalog) {
    return new FavoritesAnswer(null, null, items(view, catalog));
  }

  private static List<Favorite> items(UserEntity.FavoritesView view, CatalogSnapshot catalog) {
    List<Favorite> items = new ArrayList<>();
    for (Favorites.Favorite f : view.favorites()) {
      Item item = catalog.byDenseId(f.itemId());
      if (item == null) continue;
      items.add(
          new Favorite(ItemAnswer.of(item), Instant.ofEpochMilli(f.addedAtMillis()).toString()));
    }
    return items;
  }
}
