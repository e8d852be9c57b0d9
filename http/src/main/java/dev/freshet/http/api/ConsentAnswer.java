package dev.freshet.http.api;

import dev.freshet.actors.user.UserEntity;

/** {@code PUT /v1/users/{id}/consent}: the consent now, and whether the request changed it. */
public record ConsentAnswer(String userId, boolean consent, boolean changed) {

  public static ConsentAnswer of(String userId, UserEntity.ConsentView view) {
    return new ConsentAnswer(userId, view.consent(), view.changed());
  }
}
