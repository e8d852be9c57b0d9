package dev.freshet.http.routes;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.Fields;
import dev.freshet.http.api.JsonBodies;
import dev.freshet.http.api.KeyAnswer;
import dev.freshet.http.edge.ApiKeys;
import dev.freshet.http.edge.Scope;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/admin/keys}: create (the secret is shown once, in the creation's answer), list (never
 * the secret) and revoke API keys. A revoked key stops working on every node at once.
 */
public final class KeyRoutes extends ApiRoutes {

  private static final int MAX_NAME = 100;

  private final ApiKeys keys;
  private final Executor blocking;
  private final JsonBodies bodies;

  public KeyRoutes(ApiKeys keys, Executor blocking, ObjectMapper mapper, JsonBodies bodies) {
    super(mapper);
    this.keys = keys;
    this.blocking = blocking;
    this.bodies = bodies;
  }

  /** The routes under {@code /v1/admin/keys}. */
  public Route routes() {
    return concat(
        pathEnd(() -> concat(get(this::list), post(() -> bodies.json(this::create)))),
        path(segment(), id -> delete(() -> revoke(id))));
  }

  private Route list() {
    return onSuccess(
        CompletableFuture.supplyAsync(() -> keys.store().list(), blocking),
        list -> json(200, KeyAnswer.Listed.of(list)));
  }

  private Route create(JsonNode body) {
    Fields.requireObject(body);
    String name =
        Fields.optionalText(body, "name", "name", MAX_NAME)
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "name", "name is required (1-" + MAX_NAME + " characters)"));
    List<String> scopes = scopes(body.get("scopes"));
    return onSuccess(
        CompletableFuture.supplyAsync(() -> keys.store().create(name, scopes), blocking),
        created -> json(201, KeyAnswer.created(created)));
  }

  private Route revoke(String id) {
    Fields.id("keyId", id);
    return onSuccess(
        CompletableFuture.supplyAsync(() -> keys.revoke(id), blocking),
        revoked ->
            revoked
                .map(k -> json(200, KeyAnswer.of(k)))
                .orElseThrow(
                    () -> new ApiException(404, "not_found", "No API key with id " + id, "keyId")));
  }

  private static List<String> scopes(JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw ApiException.invalid(
          "scopes", "scopes must be a non-empty array of ingest, rank, admin, internal");
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String field = "scopes[" + i + "]";
      JsonNode s = node.get(i);
      if (!s.isTextual()) throw ApiException.invalid(field, field + " must be a string");
      scopes.add(Scope.parse(s.asText(), field).wireName());
    }
    return new ArrayList<>(scopes);
  }
}
