package dev.freshet.actors.pool;

import dev.freshet.actors.catalog.ItemUpsert;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Makes new items for a {@link GenerationRequest}. The coordinator puts what it returns into the
 * catalog the way {@code POST /v1/items} does; a failed stage marks the request failed and its
 * demand is asked for again after a back-off.
 */
public interface PoolGenerator {

  /** A short name for operators ("demo", "webhook"). */
  String name();

  CompletionStage<List<ItemUpsert>> generate(GenerationRequest request);
}
