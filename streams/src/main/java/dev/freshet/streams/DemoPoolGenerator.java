package dev.freshet.streams;

import dev.freshet.actors.catalog.ItemUpsert;
import dev.freshet.actors.pool.GenerationRequest;
import dev.freshet.actors.pool.PoolGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in generator: new items like the demo catalog's, created now, in the category asked for
 * (any demo category when the request names none). Their embeddings lie near the demo catalog's
 * category centres, so they rank like their neighbours; their popularity is modest, since nobody
 * has seen them yet, and freshness carries them.
 */
public final class DemoPoolGenerator implements PoolGenerator {

  /** What a newly made item counts as popularity (the demo catalog's long tail ends around 5). */
  private static final double NEW_ITEM_POPULARITY = 10.0;

  private final float[][] centres;
  private final Random random = new Random();
  private final int dimension;

  /** {@code seed}: the demo catalog's, so that both share the category centres. */
  public DemoPoolGenerator(int embeddingDimension, long seed) {
    this.centres = DemoCatalog.centres(new Random(seed), embeddingDimension);
    this.dimension = embeddingDimension;
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public CompletionStage<List<ItemUpsert>> generate(GenerationRequest request) {
    long now = System.currentTimeMillis();
    String prefix = "fresh-" + request.id().substring(0, Math.min(8, request.id().length()));
    List<ItemUpsert> items = new ArrayList<>(request.count());
    synchronized (random) {
      for (int n = 0; n < request.count(); n++) {
        String category =
            request.category() != null
                ? request.category()
                : DemoCatalog.CATEGORIES.get(random.nextInt(DemoCatalog.CATEGORIES.size()));
        int known = DemoCatalog.CATEGORIES.indexOf(category);
        // a category of someone else's catalog has no demo centre: anywhere will do
        float[] centre =
            known >= 0 ? centres[known] : DemoCatalog.unit(DemoCatalog.gaussian(random, dimension));
        items.add(
            DemoCatalog.item(
                prefix + "-" + n,
                category,
                centre,
                random,
                NEW_ITEM_POPULARITY,
                now,
                "fresh story " + prefix + "-" + n));
      }
    }
    return CompletableFuture.completedFuture(items);
  }
}
