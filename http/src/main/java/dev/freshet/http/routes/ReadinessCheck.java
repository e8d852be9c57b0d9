package dev.freshet.http.routes;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Whether this node should receive traffic. Completes with empty when ready, or with the reason it
 * is not (e.g. "database unreachable").
 */
@FunctionalInterface
public interface ReadinessCheck {
  CompletionStage<Optional<String>> check();
}
