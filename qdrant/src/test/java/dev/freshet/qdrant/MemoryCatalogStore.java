package dev.freshet.qdrant;

import dev.freshet.actors.catalog.CatalogStore;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemUpsert;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The catalog's store in memory: dense ids in order of first upsert, one version per upsert. */
final class MemoryCatalogStore implements CatalogStore {

  private final Map<String, Item> items = new HashMap<>();
  private final Map<String, Long> versions = new HashMap<>();
  private long version;

  @Override
  public synchronized List<Item> upsert(List<ItemUpsert> upserts) {
    version++;
    List<Item> stored = new ArrayList<>();
    for (ItemUpsert u : upserts) {
      Item old = items.get(u.id());
      Item item = u.stored(old == null ? items.size() : old.denseId());
      items.put(u.id(), item);
      versions.put(u.id(), version);
      stored.add(item);
    }
    return stored;
  }

  @Override
  public synchronized CatalogChanges changesSince(long since) {
    List<Item> changed = new ArrayList<>();
    for (Item item : items.values()) if (versions.get(item.id()) > since) changed.add(item);
    return new CatalogChanges(changed, version);
  }
}
