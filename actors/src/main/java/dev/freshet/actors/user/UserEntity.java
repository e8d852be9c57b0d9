package dev.freshet.actors.user;

import dev.freshet.actors.CborSerializable;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.ranking.Ranker;
import dev.freshet.actors.ranking.Ranking;
import dev.freshet.actors.ranking.RankingRequest;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.persistence.typed.RecoveryCompleted;

/**
 * One user's live state: the set of items the user has been shown, kept by one event-sourced entity
 * per user under Cluster Sharding. Because every command for a user goes through this one actor,
 * concurrent batches (many tabs, retries) are serialized here and each (user, item) is recorded
 * exactly once: a batch persists a single event holding only its first-time impressions.
 */
public final class UserEntity
    extends EventSourcedBehavior<UserEntity.Command, UserEntity.Event, UserEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "User");

  // ---- protocol ------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * Record that the user was shown these items (dense ids) at {@code atMillis}, optionally where
   * ({@code surface}), in which ranking and at which positions ({@code positions[i]} for
   * {@code itemIds[i]}); the optional parts are {@code null} when the client did not send them.
   */
  public record RecordImpressions(
      int[] itemIds,
      int[] positions,
      String surface,
      String rankingId,
      long atMillis,
      ActorRef<StatusReply<ImpressionsResult>> replyTo)
      implements Command {

    public RecordImpressions(int[] itemIds, long atMillis, ActorRef<StatusReply<ImpressionsResult>> replyTo) {
      this(itemIds, null, null, null, atMillis, replyTo);
    }
  }

  /** Rank the catalog for this user. */
  public record Recommend(RankingRequest request, ActorRef<StatusReply<Ranking>> replyTo)
      implements Command {}

  /** Read the user's state figures. */
  public record GetState(ActorRef<StatusReply<UserStateView>> replyTo) implements Command {}

  /** Reply to {@link RecordImpressions}: first-time impressions and repeats within the batch. */
  public record ImpressionsResult(int recorded, int duplicates) implements CborSerializable {}

  /** What {@code GET /v1/users/{id}/state} shows. */
  public record UserStateView(
      String userId,
      int seen,
      int unseen,
      int poolSize,
      double coverage,
      Map<String, Object> features)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  /**
   * The first-time impressions of one batch (never a repeat of an earlier event's ids), with the
   * context they were shown in, for the read models: {@code positions} aligned with {@code itemIds},
   * or {@code null} like {@code surface} and {@code rankingId} when not given.
   */
  public record ImpressionsRecorded(
      int[] itemIds, long atMillis, int[] positions, String surface, String rankingId)
      implements Event {}

  /** Mutable by the event handler only, as Pekko allows; snapshots serialize it. */
  public static final class State implements CborSerializable {
    public final SeenSet seen;
    public long lastImpressionAt;

    public State() {
      this(new SeenSet(), 0L);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public State(
        @com.fasterxml.jackson.annotation.JsonProperty("seen") SeenSet seen,
        @com.fasterxml.jackson.annotation.JsonProperty("lastImpressionAt") long lastImpressionAt) {
      this.seen = seen;
      this.lastImpressionAt = lastImpressionAt;
    }
  }

  // ---- sharding --------------------------------------------------------------------------------

  /** Registers the entity with Cluster Sharding on this node. */
  public static void init(
      ActorSystem<?> system, Supplier<CatalogSnapshot> catalog, UserEntitySettings settings) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                ctx ->
                    create(
                        ctx.getEntityId(),
                        PersistenceId.of(TYPE_KEY.name(), ctx.getEntityId()),
                        catalog,
                        settings)));
  }

  public static Behavior<Command> create(
      String userId,
      PersistenceId persistenceId,
      Supplier<CatalogSnapshot> catalog,
      UserEntitySettings settings) {
    return new UserEntity(userId, persistenceId, catalog, settings);
  }

  // ---- behavior --------------------------------------------------------------------------------

  private final String userId;
  private final Supplier<CatalogSnapshot> catalog;
  private final UserEntitySettings settings;

  private UserEntity(
      String userId,
      PersistenceId persistenceId,
      Supplier<CatalogSnapshot> catalog,
      UserEntitySettings settings) {
    super(persistenceId);
    this.userId = userId;
    this.catalog = catalog;
    this.settings = settings;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> state.seen.compact())
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(RecordImpressions.class, this::onRecord)
        .onCommand(Recommend.class, this::onRecommend)
        .onCommand(GetState.class, this::onGetState)
        .build();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onRecord(
      State state, RecordImpressions cmd) {
    int[] fresh = state.seen.firstTimeIndexes(cmd.itemIds());
    ImpressionsResult result = new ImpressionsResult(fresh.length, cmd.itemIds().length - fresh.length);
    if (fresh.length == 0) {
      // Nothing new: every id is already durable, so the answer needs no write.
      return Effect().reply(cmd.replyTo(), StatusReply.success(result));
    }
    ImpressionsRecorded event =
        new ImpressionsRecorded(
            pick(cmd.itemIds(), fresh),
            cmd.atMillis(),
            cmd.positions() == null ? null : pick(cmd.positions(), fresh),
            cmd.surface(),
            cmd.rankingId());
    return Effect().persist(event).thenReply(cmd.replyTo(), s -> StatusReply.success(result));
  }

  private static int[] pick(int[] values, int[] indexes) {
    int[] picked = new int[indexes.length];
    for (int i = 0; i < indexes.length; i++) picked[i] = values[indexes[i]];
    return picked;
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onRecommend(
      State state, Recommend cmd) {
    Ranking ranking =
        Ranker.rank(catalog.get(), state.seen, cmd.request(), UUID.randomUUID().toString());
    return Effect().reply(cmd.replyTo(), StatusReply.success(ranking));
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onGetState(
      State state, GetState cmd) {
    return Effect().reply(cmd.replyTo(), StatusReply.success(view(userId, state, catalog.get())));
  }

  /** The state figures against the current pool: seen counts every item ever shown. */
  static UserStateView view(String userId, State state, CatalogSnapshot catalog) {
    int poolSize = catalog.activeCount();
    int seenActive = state.seen.countIn(catalog.activeBitmap());
    double coverage = poolSize == 0 ? 0.0 : (double) seenActive / poolSize;
    Map<String, Object> features =
        state.lastImpressionAt == 0
            ? Map.of()
            : Map.of("lastImpressionAt", java.time.Instant.ofEpochMilli(state.lastImpressionAt).toString());
    return new UserStateView(
        userId, state.seen.size(), poolSize - seenActive, poolSize, coverage, features);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            ImpressionsRecorded.class,
            (state, event) -> {
              state.seen.addAll(event.itemIds());
              state.lastImpressionAt = Math.max(state.lastImpressionAt, event.atMillis());
              return state;
            })
        .build();
  }
}
