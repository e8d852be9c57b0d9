package dev.freshet.http.edge;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKey;

/**
 * Who sent a request, as the edge established it before any route ran: the API key (empty for
 * anonymous callers of public routes, or when auth is off), the client's IP and the request's trace
 * id.
 */
public record Caller(Optional<ApiKeys.ApiKey> key, String clientIp, String traceId) {

  /** Where the edge leaves the caller on the request for the routes. */
  public static final AttributeKey<Caller> ATTRIBUTE =
      AttributeKey.create("freshet-caller", Caller.class);

  /**
   * Whether the caller may do what only admins may: an admin key, or no key on a route that needs
   * one (the edge lets requests without a key reach such routes only when keys are off).
   */
  public boolean isAdmin() {
    return key.map(k -> k.allows(Scope.ADMIN)).orElse(true);
  }

  /** Whose Idempotency-Keys and per-key limits these are: the key's id, else the client's IP. */
  public String owner() {
    return key.map(ApiKeys.ApiKey::id).orElse("ip:" + clientIp);
  }
}
