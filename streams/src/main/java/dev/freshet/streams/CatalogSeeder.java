package dev.freshet.streams;

import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.ItemUpsert;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Loads a list of items into the catalog in batches, one batch in flight at a time, through the
 * same path as {@code POST /v1/items}, so that seeded items are stored, versioned and announced
 * like any other.
 */
public final class CatalogSeeder {
  private CatalogSeeder() {}

  /** Completes with the number of items upserted. */
  public static CompletionStage<Integer> seed(
      ActorSystem<?> system, Catalog catalog, List<ItemUpsert> items, int batchSize) {
    return Source.from(items)
        .grouped(batchSize)
        .mapAsync(1, batch -> catalog.upsert(batch).thenApply(List::size))
        .runWith(Sink.fold(0, Integer::sum), system);
  }
}
