package dev.freshet.actors.user;

import java.util.Optional;

/**
 * Shareable read-only links to users' favourites: unguessable tokens that resolve to a user.
 * Implementations block (they reach the database): call them off the dispatcher's threads.
 */
public interface FavoriteShares {

  /** A new token for the user's favourites. */
  String create(String userId);

  /** The user a token was made for, if it exists and was not revoked. */
  Optional<String> resolve(String token);

  /** Revokes every token of the user; returns how many there were. */
  int revokeAll(String userId);
}
