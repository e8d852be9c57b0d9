package dev.freshet.http;

import dev.freshet.actors.catalog.CatalogStore;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.catalog.ItemUpsert;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog store of route tests, in memory: dense ids handed out once per item id and every
 * upsert a new version, as {@code JdbcCatalogStore} does in PostgreSQL.
 */
public final class InMemoryCatalogStore implements CatalogStore {

  private record Stored(Item item, long version) {}

  private final Map<String, Stored> items = new LinkedHashMap<>();
  private long version;

  @Override
  public synchronized List<Item> upsert(List<ItemUpsert> upserts) {
    List<Item> stored = new ArrayList<>();
    for (ItemUpsert u : upserts) {
      Stored before = items.get(u.id());
      Item item = u.stored(before == null ? items.size() : before.item().denseId());
      items.put(u.id(), new Stored(item, ++version));
      stored.add(item);
    }
    return stored;
  }

  @Override
  public synchronized CatalogChanges changesSince(long since) {
    List<Item> changed =
        items.values().stream().filter(s -> s.version() > since).map(Stored::item).toList();
    return new CatalogChanges(changed, version);
  }
}
