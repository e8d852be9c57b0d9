package dev.freshet.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.SignalWeights;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.streams.PopularityFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The two ingest batches of API.md, shared by {@code POST /v1/impressions}, {@code POST /v1/events} and
 * the WebSocket stream: validate the whole batch, resolve item ids, write each user's part to that
 * user's entity (one journal write per user) and answer once every write is durable.
 */
final class Ingest {

  /** An ingest answer: the HTTP status it is sent with and its JSON fields, in order. */
  record Answer(int status, Map<String, Object> body) {}

  private final ClusterSharding sharding;
  private final Catalog catalog;
  private final PopularityFeed popularityFeed;
  private final SignalWeights signals;
  private final Duration askTimeout;

  Ingest(
      ClusterSharding sharding,
      Catalog catalog,
      PopularityFeed popularityFeed,
      SignalWeights signals,
      Duration askTimeout) {
    this.sharding = sharding;
    this.catalog = catalog;
    this.popularityFeed = popularityFeed;
    this.signals = signals;
    this.askTimeout = askTimeout;
  }

  /** {@code POST /v1/impressions}: one user's impressions. */
  CompletionStage<Answer> impressions(JsonNode body) {
    ImpressionBatch batch = ImpressionBatch.parse(body);
    long now = System.currentTimeMillis();
    return denseIds(batch.itemIds(), i -> "itemIds[" + i + "]")
        .thenCompose(
            ids ->
                user(batch.userId())
                    .askWithStatus(
                        (ActorRef<StatusReply<UserEntity.ImpressionsResult>> replyTo) ->
                            new UserEntity.RecordImpressions(
                                ids,
                                batch.positions().map(Ingest::toArray).orElse(null),
                                batch.surface().orElse(null),
                                batch.rankingId().orElse(null),
                                now,
                                replyTo),
                        askTimeout))
        .thenApply(
            r -> new Answer(202, ApiJson.fields("recorded", r.recorded(), "duplicates", r.duplicates())));
  }

  /**
   * {@code POST /v1/events}: many users' events. Each user's events go to that user's entity as one
   * command (one journal write); the answer waits for all of them.
   */
  CompletionStage<Answer> events(JsonNode body) {
    EventBatch batch = EventBatch.parse(body, System.currentTimeMillis());
    List<String> itemIds = batch.events().stream().map(EventBatch.Event::itemId).toList();
    return denseIds(itemIds, i -> "events[" + i + "].itemId")
        .thenCompose(
            ids -> {
              Map<String, List<Interaction>> byUser = new LinkedHashMap<>();
              for (int i = 0; i < ids.length; i++) {
                EventBatch.Event e = batch.events().get(i);
                byUser
                    .computeIfAbsent(e.userId(), u -> new ArrayList<>())
                    .add(new Interaction(ids[i], e.type(), e.at(), e.intent(), e.value(), e.rankingId(), e.position()));
              }
              List<CompletableFuture<UserEntity.EventsResult>> replies = new ArrayList<>();
              byUser.forEach(
                  (userId, events) ->
                      replies.add(
                          user(userId)
                              .askWithStatus(
                                  (ActorRef<StatusReply<UserEntity.EventsResult>> replyTo) ->
                                      new UserEntity.RecordEvents(events, replyTo),
                                  askTimeout)
                              .toCompletableFuture()));
              return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                  .thenApply(
                      done -> {
                        countForPopularity(batch, ids); // durable now, so it may count
                        int accepted = replies.stream().mapToInt(r -> r.join().accepted()).sum();
                        return new Answer(202, ApiJson.fields("accepted", accepted));
                      });
            });
  }

  private static int[] toArray(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  private void countForPopularity(EventBatch batch, int[] denseIds) {
    CatalogSnapshot snapshot = catalog.snapshot();
    for (int i = 0; i < denseIds.length; i++) {
      EventBatch.Event e = batch.events().get(i);
      Item item = snapshot.byDenseId(denseIds[i]);
      double weight = signals.affinityDelta(e.type(), e.intent(), e.value() == null ? 0 : e.value());
      popularityFeed.record(denseIds[i], item == null ? null : item.category(), weight);
    }
  }

  /** Maps item ids to dense ids; an id unknown even after catching up with the store is a 400. */
  private CompletionStage<int[]> denseIds(List<String> itemIds, IntFunction<String> fieldOf) {
    int[] ids = new int[itemIds.size()];
    if (resolve(catalog.snapshot(), itemIds, ids) < 0) return CompletableFuture.completedFuture(ids);
    return catalog
        .refreshAsync()
        .thenApply(
            snapshot -> {
              int unknown = resolve(snapshot, itemIds, ids);
              if (unknown >= 0) {
                String field = fieldOf.apply(unknown);
                throw new ApiException(
                    400, "unknown_item", field + " (" + itemIds.get(unknown) + ") is not in the catalog", field);
              }
              return ids;
            });
  }

  /** Fills {@code into}; returns the index of the first unknown id, or -1. */
  private static int resolve(CatalogSnapshot snapshot, List<String> itemIds, int[] into) {
    for (int i = 0; i < into.length; i++) {
      var item = snapshot.byId(itemIds.get(i));
      if (item.isEmpty()) return i;
      into[i] = item.get().denseId();
    }
    return -1;
  }

  private EntityRef<UserEntity.Command> user(String userId) {
    return sharding.entityRefFor(UserEntity.TYPE_KEY, userId);
  }
}
