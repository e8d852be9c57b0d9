package dev.freshet.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The short answers that only confirm what was done. */
public final class Acknowledgement {
  private Acknowledgement() {}

  /** {@code POST /v1/items}: how many items the catalog stored. */
  public record Upserted(int upserted) {}

  /** {@code PUT /v1/users/{id}/persona}. */
  public record PersonaSet(String userId, String persona) {
    public static PersonaSet of(String userId) {
      return new PersonaSet(userId, "set");
    }
  }

  /**
   * {@code PUT /internal/v1/users/{id}/features}: {@code stored} is false when the user has
   * withdrawn consent (nothing of theirs is kept then).
   */
  public record FeaturesPushed(String userId, boolean stored) {}

  /** {@code /health/alive} and {@code /health/ready}: {@code reason} only when not ready. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Health(String status, String reason) {
    public static final Health ALIVE = new Health("alive", null);
    public static final Health READY = new Health("ready", null);

    public static Health notReady(String reason) {
      return new Health("not ready", reason);
    }
  }
}
