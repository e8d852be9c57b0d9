package dev.freshet.http.routes;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.user.FavoriteShares;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.FavoritesAnswer;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.HistoryAnswer;
import dev.freshet.http.api.RecommendationQuery;
import dev.freshet.http.api.ReplayAnswer;
import dev.freshet.http.edge.HttpSettings;
import dev.freshet.streams.UserHistory;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a user has: the impression history (a timeline by day, from the journal), replay (seen items
 * served again without recording impressions), favourites and read-only links to them.
 */
public final class UserLibraryRoutes extends ApiRoutes {

  static final int DEFAULT_HISTORY_LIMIT = 50;
  static final int MAX_HISTORY_LIMIT = 500;

  /** Tokens are 32 random bytes in base64url: anything else cannot be one. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

  private final Users users;
  private final Catalog catalog;
  private final UserHistory history;
  private final FavoriteShares shares;
  private final Executor blocking;
  private final HttpSettings settings;

  public UserLibraryRoutes(
      Users users,
      Catalog catalog,
      UserHistory history,
      FavoriteShares shares,
      Executor blocking,
      HttpSettings settings,
      ObjectMapper mapper) {
    super(mapper);
    this.users = users;
    this.catalog = catalog;
    this.history = history;
    this.shares = shares;
    this.blocking = blocking;
    this.settings = settings;
  }

  /** The routes under {@code /v1/users/{userId}/}. */
  public Route forUser(String userId) {
    return concat(
        path("history", () -> get(() -> parameterMap(q -> history(userId, q)))),
        path("replay", () -> get(() -> parameterMap(q -> replay(userId, q)))),
        path("favorites", () -> get(() -> favorites(userId))),
        // "share" is the link, not an item: an item with that id cannot be unfavourited by path
        path(
            segment("favorites").slash("share"),
            () -> concat(post(() -> share(userId)), delete(() -> revokeShares(userId)))),
        path(
            segment("favorites").slash(segment()),
            itemId ->
                concat(
                    put(() -> addFavorite(userId, itemId)),
                    delete(() -> removeFavorite(userId, itemId)))));
  }

  /** {@code /v1/shared/favorites/{token}}: anyone holding the link may read, nobody may change. */
  public Route shared() {
    return path(segment("favorites").slash(segment()), token -> get(() -> sharedFavorites(token)));
  }

  // ---- history and replay
  // ------------------------------------------------------------------------

  private Route history(String userId, Map<String, String> query) {
    Fields.id("userId", userId);
    int limit =
        Fields.boundedInt("limit", query.get("limit"), DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT);
    Optional<UserHistory.Cursor> before =
        Optional.ofNullable(query.get("before")).map(this::cursor);
    return onSuccess(
        history.page(userId, before, limit),
        page -> json(200, HistoryAnswer.of(userId, page, catalog.snapshot())));
  }

  /** {@code before}: the {@code next} of a previous page, or an ISO-8601 instant. */
  private UserHistory.Cursor cursor(String value) {
    long now = System.currentTimeMillis();
    Optional<UserHistory.Cursor> token = UserHistory.Cursor.parse(value);
    if (token.isPresent()) {
      settings.timeWindow().check("before", token.get().atMillis(), now);
      return token.get();
    }
    Instant at =
        Fields.instant(value)
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "before",
                        "before must be the next value of a previous page or an ISO-8601 instant such as 2026-11-22T00:00:00Z"));
    return UserHistory.Cursor.before(settings.timeWindow().check("before", at, now));
  }

  private Route replay(String userId, Map<String, String> query) {
    Fields.id("userId", userId);
    int k = RecommendationQuery.k(query.get("k"));
    Optional<String> category = RecommendationQuery.category(query.get("category"));
    long now = System.currentTimeMillis();
    return onSuccess(
        users
            .entity(userId)
            .askWithStatus(
                (ActorRef<StatusReply<UserEntity.ReplayResult>> replyTo) ->
                    new UserEntity.Replay(k, category, now, replyTo),
                settings.askTimeout()),
        result -> json(200, ReplayAnswer.of(userId, result)));
  }

  // ---- favourites
  // ----------------------------------------------------------------------------------

  private Route favorites(String userId) {
    Fields.id("userId", userId);
    return onSuccess(
        users.entity(userId).askWithStatus(UserEntity.GetFavorites::new, settings.askTimeout()),
        view -> json(200, FavoritesAnswer.of(userId, view, catalog.snapshot())));
  }

  private Route addFavorite(String userId, String itemId) {
    Fields.id("userId", userId);
    Fields.id("itemId", itemId);
    long now = System.currentTimeMillis();
    CompletionStage<UserEntity.FavoritesView> added =
        knownItem(itemId)
            .thenCompose(
                item ->
                    users
                        .entity(userId)
                        .askWithStatus(
                            (ActorRef<StatusReply<UserEntity.FavoritesView>> replyTo) ->
                                new UserEntity.AddFavorite(item.denseId(), now, replyTo),
                            settings.askTimeout())
                        .handle(
                            (view, failure) -> {
                              if (failure == null) return view;
                              // the entity's only refusal: the bound on favourites
                              if (ApiErrors.unwrap(failure)
                                  instanceof StatusReply.ErrorMessage full) {
                                throw new ApiException(
                                    409, "favorites_full", full.getMessage(), "itemId");
                              }
                              throw new CompletionException(failure);
                            }));
    return onSuccess(
        added,
        view ->
            json(view.changed() ? 201 : 200, FavoritesAnswer.of(userId, view, catalog.snapshot())));
  }

  private Route removeFavorite(String userId, String itemId) {
    Fields.id("userId", userId);
    Fields.id("itemId", itemId);
    return onSuccess(
        knownItem(itemId)
            .thenCompose(
                item ->
                    users
                        .entity(userId)
                        .askWithStatus(
                            (ActorRef<StatusReply<UserEntity.FavoritesView>> replyTo) ->
                                new UserEntity.RemoveFavorite(item.denseId(), replyTo),
                            settings.askTimeout())),
        view -> json(200, FavoritesAnswer.of(userId, view, catalog.snapshot())));
  }

  private CompletionStage<Item> knownItem(String itemId) {
    return catalog
        .find(itemId)
        .thenApply(
            item ->
                item.orElseThrow(
                    () ->
                        new ApiException(404, "not_found", "No item with id " + itemId, "itemId")));
  }

  // ---- shared links
  // ---------------------------------------------------------------------------------

  private Route share(String userId) {
    Fields.id("userId", userId);
    return onSuccess(
        CompletableFuture.supplyAsync(() -> shares.create(userId), blocking),
        token -> json(201, FavoritesAnswer.Link.of(token)));
  }

  private Route revokeShares(String userId) {
    Fields.id("userId", userId);
    return onSuccess(
        CompletableFuture.supplyAsync(() -> shares.revokeAll(userId), blocking),
        n -> json(200, new FavoritesAnswer.LinksRevoked(userId, n)));
  }

  private Route sharedFavorites(String token) {
    ApiException unknown =
        new ApiException(404, "not_found", "No shared favorites for this link", "token");
    if (!TOKEN.matcher(token).matches()) throw unknown;
    CompletionStage<UserEntity.FavoritesView> view =
        CompletableFuture.supplyAsync(() -> shares.resolve(token), blocking)
            .thenCompose(
                owner ->
                    users
                        .entity(owner.orElseThrow(() -> unknown))
                        .askWithStatus(UserEntity.GetFavorites::new, settings.askTimeout()));
    // read-only and anonymous: the owner's id is not shown
    return onSuccess(view, v -> json(200, FavoritesAnswer.shared(v, catalog.snapshot())));
  }
}
