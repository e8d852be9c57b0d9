package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.SignalWeights;
import dev.freshet.actors.feed.ActivityFeed;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.EventBatch;
import dev.freshet.http.api.ImpressionBatch;
import dev.freshet.http.api.IngestAnswer;
import dev.freshet.http.api.TimeWindow;
import dev.freshet.http.edge.Idempotency;
import dev.freshet.http.edge.RateLimits;
import dev.freshet.http.metrics.IngestMetrics;
import dev.freshet.streams.PopularityFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The two ingest batches of API.md, shared by {@code POST /v1/impressions}, {@code POST /v1/events}
 * and the WebSocket stream: validate the whole batch, resolve item ids, write each user's part to
 * that user's entity (one journal write per user) and answer once every write is durable.
 */
public final class Ingest {

  private final ClusterSharding sharding;
  private final Catalog catalog;
  private final PopularityFeed popularityFeed;
  private final SignalWeights signals;
  private final Duration askTimeout;
  private final TimeWindow timeWindow;
  private final RateLimits limits;
  private final IngestMetrics metrics;
  private final ActivityFeed feed;

  public Ingest(
      ClusterSharding sharding,
      Catalog catalog,
      PopularityFeed popularityFeed,
      SignalWeights signals,
      Duration askTimeout,
      TimeWindow timeWindow,
      RateLimits limits,
      IngestMetrics metrics,
      ActivityFeed feed) {
    this.feed = feed;
    this.limits = limits;
    this.metrics = metrics;
    this.sharding = sharding;
    this.catalog = catalog;
    this.popularityFeed = popularityFeed;
    this.signals = signals;
    this.askTimeout = askTimeout;
    this.timeWindow = timeWindow;
  }

  /**
   * {@code POST /v1/impressions}: one user's impressions; {@code batchId} (0: none) identifies the
   * batch, so that the entity records it once however often it is sent ({@link
   * dev.freshet.http.edge.Idempotency#once}).
   */
  public CompletionStage<Idempotency.Answer> impressions(JsonNode body, long batchId) {
    return impressions(body, IngestMetrics.Source.IMPRESSIONS, batchId);
  }

  /** One user's impressions, counted in the metrics as coming from {@code source}. */
  public CompletionStage<Idempotency.Answer> impressions(
      JsonNode body, IngestMetrics.Source source, long batchId) {
    long started = System.nanoTime();
    ImpressionBatch batch =
        admitted(source, () -> ImpressionBatch.parse(body), b -> List.of(b.userId()));
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
                                batchId,
                                replyTo),
                        askTimeout))
        .whenComplete(metrics.recorded(source))
        .whenComplete(metrics.batch(source, batch.itemIds().size(), started))
        .thenApply(
            r -> {
              show(batch, r, now);
              return new Idempotency.Answer(202, IngestAnswer.Impressions.of(r));
            });
  }

  /**
   * {@code POST /v1/events}: many users' events. Each user's events go to that user's entity as one
   * command (one journal write); the answer waits for all of them. Each user's part carries {@code
   * batchId} (0: none): sent again after a timeout, the users that wrote it already answer as they
   * did, and the others write it.
   */
  public CompletionStage<Idempotency.Answer> events(JsonNode body, long batchId) {
    return events(body, IngestMetrics.Source.EVENTS, batchId);
  }

  /**
   * Many users' events, counted in the metrics as coming from {@code source} (the WebSocket
   * stream's).
   */
  public CompletionStage<Idempotency.Answer> events(
      JsonNode body, IngestMetrics.Source source, long batchId) {
    long started = System.nanoTime();
    EventBatch batch =
        admitted(
            source,
            () -> EventBatch.parse(body, timeWindow, System.currentTimeMillis()),
            b -> b.events().stream().map(EventBatch.Event::userId).distinct().toList());
    List<String> itemIds = batch.events().stream().map(EventBatch.Event::itemId).toList();
    return denseIds(itemIds, i -> "events[" + i + "].itemId")
        .thenCompose(
            ids -> {
              Map<String, List<Interaction>> byUser = new LinkedHashMap<>();
              for (int i = 0; i < ids.length; i++) {
                EventBatch.Event e = batch.events().get(i);
                byUser
                    .computeIfAbsent(e.userId(), u -> new ArrayList<>())
                    .add(
                        new Interaction(
                            ids[i],
                            e.type(),
                            e.at(),
                            e.intent(),
                            e.value(),
                            e.rankingId(),
                            e.position()));
              }
              List<CompletableFuture<UserEntity.EventsResult>> replies = new ArrayList<>();
              byUser.forEach(
                  (userId, events) ->
                      replies.add(
                          user(userId)
                              .askWithStatus(
                                  (ActorRef<StatusReply<UserEntity.EventsResult>> replyTo) ->
                                      new UserEntity.RecordEvents(events, batchId, replyTo),
                                  askTimeout)
                              .toCompletableFuture()));
              return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                  .whenComplete(metrics.accepted(source, byUser.values(), replies))
                  .thenApply(
                      done -> {
                        // users without consent: nothing of theirs stored, nor counted in
                        // popularity
                        Set<String> notStored = new HashSet<>();
                        Set<String> notNew = new HashSet<>();
                        int accepted = 0;
                        int unstored = 0;
                        int u = 0;
                        for (String userId : byUser.keySet()) {
                          UserEntity.EventsResult r = replies.get(u++).join();
                          accepted += r.accepted();
                          if (!r.stored()) {
                            notStored.add(userId);
                            unstored += r.accepted();
                          }
                          if (!r.stored() || r.resent()) notNew.add(userId);
                        }
                        countForPopularity(batch, ids, notStored); // durable now, so it may count
                        show(batch, notNew);
                        return new Idempotency.Answer(
                            202, IngestAnswer.Events.of(accepted, unstored));
                      });
            })
        .whenComplete(metrics.batch(source, batch.events().size(), started));
  }

  /**
   * Shows a recorded impressions batch on the live feed, if anyone watches: not a batch recorded
   * before (sent again), nor anything of a user who did not consent to being stored.
   */
  private void show(ImpressionBatch batch, UserEntity.ImpressionsResult r, long now) {
    if (!feed.watched() || r.resent() || !r.stored()) return;
    feed.publish(
        new ActivityFeed.Impressions(
            now,
            batch.userId(),
            List.copyOf(batch.itemIds()),
            batch.surface().orElse(null),
            batch.rankingId().orElse(null),
            r.recorded(),
            r.duplicates()));
  }

  /** Shows a recorded events batch on the live feed but for {@code hidden} users' events. */
  private void show(EventBatch batch, Set<String> hidden) {
    if (!feed.watched()) return;
    List<ActivityFeed.Interaction> shown = new ArrayList<>();
    for (EventBatch.Event e : batch.events()) {
      if (hidden.contains(e.userId())) continue;
      shown.add(
          new ActivityFeed.Interaction(
              e.userId(),
              e.itemId(),
              e.type().wire(),
              e.at(),
              e.rankingId(),
              e.position(),
              e.intent(),
              e.value()));
    }
    if (!shown.isEmpty())
      feed.publish(new ActivityFeed.Interactions(System.currentTimeMillis(), shown));
  }

  /**
   * The batch {@code parse} reads, once its users are within their ingest limits; a refusal (bad
   * input, a limit) is counted for {@code source} and thrown.
   */
  private <B> B admitted(
      IngestMetrics.Source source, Supplier<B> parse, Function<B, List<String>> users) {
    try {
      B batch = parse.get();
      limits.admitIngest(users.apply(batch));
      return batch;
    } catch (RuntimeException e) {
      metrics.refused(source, e);
      throw e;
    }
  }

  private static int[] toArray(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  private void countForPopularity(EventBatch batch, int[] denseIds, Set<String> skippedUsers) {
    CatalogSnapshot snapshot = catalog.snapshot();
    for (int i = 0; i < denseIds.length; i++) {
      EventBatch.Event e = batch.events().get(i);
      if (skippedUsers.contains(e.userId())) continue;
      Item item = snapshot.byDenseId(denseIds[i]);
      double weight = signals.affinityDelta(e.type(), e.intent(), e.value());
      popularityFeed.record(denseIds[i], item == null ? null : item.category(), weight, e.at());
    }
  }

  /** Maps item ids to dense ids; an id unknown even after catching up with the store is a 400. */
  private CompletionStage<int[]> denseIds(List<String> itemIds, IntFunction<String> fieldOf) {
    int[] ids = new int[itemIds.size()];
    if (resolve(catalog.snapshot(), itemIds, ids) < 0)
      return CompletableFuture.completedFuture(ids);
    return catalog
        .refreshAsync()
        .thenApply(
            snapshot -> {
              int unknown = resolve(snapshot, itemIds, ids);
              if (unknown >= 0) {
                String field = fieldOf.apply(unknown);
                throw new ApiException(
                    400,
                    "unknown_item",
                    field + " (" + itemIds.get(unknown) + ") is not in the catalog",
                    field);
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
