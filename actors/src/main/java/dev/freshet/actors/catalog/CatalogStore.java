package dev.freshet.actors.catalog;

import java.util.List;

/**
 * The durable home of the catalog (PostgreSQL in production). Blocking: callers run it on a
 * dispatcher meant for blocking I/O.
 */
public interface CatalogStore {

  /** Durably upserts the items, assigning dense ids to new ones; returns the stored versions. */
  List<Item> upsert(List<ItemUpsert> items);

  /** Every item changed after {@code version}, with the highest version among them. */
  CatalogChanges changesSince(long version);

  record CatalogChanges(List<Item> items, long version) {}
}
