package dev.freshet.actors.user;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.freshet.actors.CborSerializable;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.features.FeatureSettings;
import dev.freshet.actors.features.FeatureSummary;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.features.PushedVector;
import dev.freshet.actors.features.UserFeatures;
import dev.freshet.actors.learning.ServingModels;
import dev.freshet.actors.pool.Freshness;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.pool.PoolLevels;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.ranking.RankedItem;
import dev.freshet.actors.ranking.Ranker;
import dev.freshet.actors.ranking.Ranking;
import dev.freshet.actors.ranking.RankingContext;
import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.ranking.RankingSettings;
import dev.freshet.actors.ranking.Retrieval;
import dev.freshet.actors.ranking.Variant;
import dev.freshet.actors.retrieval.VectorLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One user's live state: the set of items the user has been shown, kept by one event-sourced entity
 * per user under Cluster Sharding. Because every command for a user goes through this one actor,
 * concurrent batches (many tabs, retries) are serialized here and each (user, item) is recorded
 * exactly once: a batch persists a single event telling its first-time impressions from its
 * repeats.
 */
public final class UserEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        UserEntity.Command, UserEntity.Event, UserEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "User");

  // ---- protocol ------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {
    /** Every command is answered, with a success or a refusal. */
    ActorRef<? extends StatusReply<?>> replyTo();
  }

  /**
   * Record that the user was shown these items (dense ids) at {@code atMillis}, optionally where
   * ({@code surface}), in which ranking and at which positions ({@code positions[i]} for {@code
   * itemIds[i]}); the optional parts are {@code null} when the client did not send them.
   */
  public record RecordImpressions(
      int[] itemIds,
      int[] positions,
      String surface,
      String rankingId,
      long atMillis,
      long batch,
      ActorRef<StatusReply<ImpressionsResult>> replyTo)
      implements Command {

    /** A batch without a batch id: sent again, it is recorded again. */
    public RecordImpressions(
        int[] itemIds,
        int[] positions,
        String surface,
        String rankingId,
        long atMillis,
        ActorRef<StatusReply<ImpressionsResult>> replyTo) {
      this(itemIds, positions, surface, rankingId, atMillis, 0L, replyTo);
    }

    public RecordImpressions(
        int[] itemIds, long atMillis, ActorRef<StatusReply<ImpressionsResult>> replyTo) {
      this(itemIds, null, null, null, atMillis, replyTo);
    }
  }

  /**
   * Record a batch of this user's events (impressions and interactions, their item's category and
   * tags not yet filled in) in one journal write.
   */
  public record RecordEvents(
      List<Interaction> events, long batch, ActorRef<StatusReply<EventsResult>> replyTo)
      implements Command {

    /** A batch without a batch id: sent again, it is recorded again. */
    public RecordEvents(List<Interaction> events, ActorRef<StatusReply<EventsResult>> replyTo) {
      this(events, 0L, replyTo);
    }
  }

  /**
   * {@link RecordImpressions} with the items named by their catalog ids, for services in the
   * cluster that hold no catalog: the entity resolves them against its node's catalog (an unknown
   * item refuses the whole batch, naming it). {@code positions} is {@code null} or has one entry
   * per item.
   */
  public record RecordItemImpressions(
      List<String> itemIds,
      List<Integer> positions,
      String surface,
      String rankingId,
      long atMillis,
      long batch,
      ActorRef<StatusReply<ImpressionsResult>> replyTo)
      implements Command {

    /** A batch without a batch id ({@link BatchIds}): sent again, it is recorded again. */
    public RecordItemImpressions(
        List<String> itemIds,
        List<Integer> positions,
        String surface,
        String rankingId,
        long atMillis,
        ActorRef<StatusReply<ImpressionsResult>> replyTo) {
      this(itemIds, positions, surface, rankingId, atMillis, 0L, replyTo);
    }
  }

  /**
   * {@link RecordEvents} with the items named by their catalog ids (see above), and a batch id
   * ({@link BatchIds}, 0 for none).
   */
  public record RecordItemEvents(
      List<ItemEvent> events, long batch, ActorRef<StatusReply<EventsResult>> replyTo)
      implements Command {

    public RecordItemEvents(List<ItemEvent> events, ActorRef<StatusReply<EventsResult>> replyTo) {
      this(events, 0L, replyTo);
    }
  }

  /**
   * One event of {@link RecordItemEvents}: {@code value} is the dwell time in ms (dwell events
   * only); {@code intent}, {@code rankingId} and {@code position} are optional ({@code null}).
   */
  public record ItemEvent(
      String itemId,
      InteractionType type,
      long atMillis,
      String intent,
      Long value,
      String rankingId,
      Integer position)
      implements CborSerializable {}

  /**
   * Reply to {@link RecordEvents}: how many events were accepted, how many impressions were new,
   * and whether they were stored at all (not when the user has withdrawn consent); {@code resent}:
   * the batch was written before under its batch id, and this is that answer again.
   */
  public record EventsResult(int accepted, int newImpressions, boolean stored, boolean resent)
      implements CborSerializable {

    public EventsResult(int accepted, int newImpressions, boolean stored) {
      this(accepted, newImpressions, stored, false);
    }
  }

  /** Set the user's cold-start persona. */
  public record SetPersona(Persona persona, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Push a user vector an outside model computed (e.g. the user's factors), in the item embedding
   * space ({@code freshet.catalog.embedding-dimension} finite components, not all zero); {@code
   * source} optionally names the model. It replaces any vector pushed before and counts in ranking
   * as much as the user's own engagements do ({@code Ranker.UserSignals.userVector}). Refused with
   * an error naming the field when invalid; not stored without consent, as it describes the user's
   * behaviour.
   */
  public record PushFeatures(
      float[] vector, String source, long atMillis, ActorRef<StatusReply<PushResult>> replyTo)
      implements Command {}

  /** Reply to {@link PushFeatures}: whether the vector was stored (not without consent). */
  public record PushResult(boolean stored) implements CborSerializable {}

  /** Rank the catalog for this user. */
  public record Recommend(RankingRequest request, ActorRef<StatusReply<RankingResult>> replyTo)
      implements Command {}

  /**
   * A {@link Recommend} whose vector lookups a remote index answered: ranked when it arrives, with
   * the user's state as it is then. Sent by the entity to itself only.
   */
  record RecommendRetrieved(Recommend recommend, Retrieval.Retrieved retrieved) implements Command {
    @Override
    public ActorRef<StatusReply<RankingResult>> replyTo() {
      return recommend.replyTo();
    }
  }

  /**
   * The ranking to serve, and the shadow variant's ranking of the same moment when one is set;
   * {@code personal} is false when the user has not consented, so the ranking used nothing of
   * theirs and nothing of it may be stored under their id.
   */
  public record RankingResult(Ranking served, Ranking shadow, boolean personal)
      implements CborSerializable {}

  /**
   * The items the user has seen (a copy), e.g. to leave them out of similar items; empty without
   * consent, as nothing is recorded then.
   */
  public record GetSeen(ActorRef<StatusReply<SeenItems>> replyTo) implements Command {}

  /** Reply to {@link GetSeen}; serializable, as the entity may live on another node. */
  public record SeenItems(SeenSet seen) implements CborSerializable {}

  /** Read the user's state figures. */
  public record GetState(ActorRef<StatusReply<UserStateView>> replyTo) implements Command {}

  /**
   * Serve up to {@code k} items the user has already seen (best first, as the ranking scores them
   * now) without recording impressions; each replayed item's replay count goes up.
   */
  public record Replay(
      int k, Optional<String> category, long atMillis, ActorRef<StatusReply<ReplayResult>> replyTo)
      implements Command {}

  /** One replayed item, with its replay count including this one. */
  public record ReplayedItem(RankedItem item, int replayCount, long lastReplayedAt)
      implements CborSerializable {}

  public record ReplayResult(List<ReplayedItem> items) implements CborSerializable {}

  /**
   * Make the item (dense id) one of the user's favourites; a favourite already is left as it is.
   */
  public record AddFavorite(int itemId, long atMillis, ActorRef<StatusReply<FavoritesView>> replyTo)
      implements Command {}

  /** Remove the item from the user's favourites, if it is one. */
  public record RemoveFavorite(int itemId, ActorRef<StatusReply<FavoritesView>> replyTo)
      implements Command {}

  public record GetFavorites(ActorRef<StatusReply<FavoritesView>> replyTo) implements Command {}

  /** The user's favourites, newest first, and whether the command changed them. */
  public record FavoritesView(List<Favorites.Favorite> favorites, boolean changed)
      implements CborSerializable {}

  /**
   * Reply to {@link RecordImpressions}: first-time impressions and repeats within the batch, and
   * whether anything was stored (not when the user has withdrawn consent: then both counts are 0);
   * {@code resent}: the batch was written before under its batch id, and this is that answer again.
   */
  public record ImpressionsResult(int recorded, int duplicates, boolean stored, boolean resent)
      implements CborSerializable {

    public ImpressionsResult(int recorded, int duplicates, boolean stored) {
      this(recorded, duplicates, stored, false);
    }
  }

  /**
   * Whether the user's behaviour may be stored and used. Withdrawing drops everything observed of
   * the user from the live state at once; what the user told us (persona, favourites) stays.
   */
  public record SetConsent(
      boolean consent, long atMillis, ActorRef<StatusReply<ConsentView>> replyTo)
      implements Command {}

  /** The user's consent after {@link SetConsent}, and whether the command changed it. */
  public record ConsentView(boolean consent, boolean changed) implements CborSerializable {}

  /**
   * Erase the user: one {@link UserForgotten} event empties the state, the reply carries its
   * sequence number (everything of the user's journal up to it may then be deleted), and the entity
   * stops. A command arriving afterwards meets a brand-new user whose events come after that
   * number.
   */
  public record Forget(long atMillis, ActorRef<StatusReply<Forgotten>> replyTo)
      implements Command {}

  public record Forgotten(long sequenceNr) implements CborSerializable {}

  /** Everything the live state holds of the user, for an access request. */
  public record GetExport(ActorRef<StatusReply<UserExport>> replyTo) implements Command {}

  /**
   * The state figures, the persona, the user vector (or {@code null}), every seen item, the
   * favourites and the vector an outside model pushed (or {@code null}).
   */
  public record UserExport(
      UserStateView state,
      Persona persona,
      float[] vector,
      int[] seenItems,
      List<Favorites.Favorite> favorites,
      float[] pushedVector)
      implements CborSerializable {}

  /** What {@code GET /v1/users/{id}/state} shows. */
  public record UserStateView(
      String userId,
      int seen,
      int unseen,
      int poolSize,
      double coverage,
      Map<String, Freshness> categories,
      List<Double> thresholdsReached,
      int favorites,
      long replays,
      FeatureSummary features,
      boolean consent)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  /**
   * One batch of impressions, in one journal row: {@code firstTime} the items the user sees for the
   * first time (each once, never one of an earlier event's), with the context they were shown in
   * for the read models ({@code positions} aligned with {@code firstTime}, or {@code null} like
   * {@code surface} and {@code rankingId} when not given); {@code repeated} the showings of items
   * seen before (or twice in the batch), an id once per showing: they change nothing in the state,
   * but the read model counts views. Either array may be empty, never both. {@code batch} is the
   * batch id it came with ({@link BatchIds}; 0 for none, and in events journaled before them),
   * which the state remembers ({@link AppliedBatches}) so that the batch sent again is not recorded
   * twice.
   */
  public record ImpressionsShown(
      int[] firstTime,
      int[] repeated,
      long atMillis,
      int[] positions,
      String surface,
      String rankingId,
      long batch)
      implements Event {

    public ImpressionsShown {
      if (firstTime == null) firstTime = new int[0];
      if (repeated == null) repeated = new int[0];
    }

    /** A batch without a batch id (journaled before they were carried: 0). */
    public ImpressionsShown(
        int[] firstTime,
        int[] repeated,
        long atMillis,
        int[] positions,
        String surface,
        String rankingId) {
      this(firstTime, repeated, atMillis, positions, surface, rankingId, 0L);
    }
  }

  /**
   * Legacy: the first-time impressions of one batch, as journaled before {@link ImpressionsShown}
   * (with an {@link ImpressionsRepeated} beside it for the repeats). Journals written then still
   * replay; written now only with {@code freshet.user.legacy-batch-events}, which nodes of those
   * versions read, for a rolling upgrade.
   */
  public record ImpressionsRecorded(
      int[] itemIds, long atMillis, int[] positions, String surface, String rankingId)
      implements Event {}

  /**
   * Legacy: the repeated impressions of one batch, as journaled before {@link ImpressionsShown} and
   * {@link InteractionsRecorded#repeated()} held them (and now only with {@code
   * freshet.user.legacy-batch-events}). It changes nothing in the state; the read model counts its
   * views.
   */
  public record ImpressionsRepeated(int[] itemIds, long atMillis) implements Event {}

  /**
   * A batch of events in one journal row: every interaction, and among them the impressions that
   * were first-time ones; the impressions of items seen before (or twice in the batch) are only
   * listed in {@code repeated}, an id once per showing, the latest of their times in {@code
   * repeatedAt}: they change nothing in the state, but the read model counts views. Each
   * interaction implies the user has seen the item. {@code embeddings} holds, by dense id, the
   * embedding each item engaged with had then, so that replaying the journal moves the user vector
   * as it did live whatever the catalog holds by then.
   *
   * <p>Events journaled before the embeddings were carried have none ({@code null}): they replay
   * without moving the user vector. Looking the items up in today's catalog instead would make the
   * state depend on when it is recovered; a vector is a decayed mean that the next engagement moves
   * again, and the snapshots taken back then hold it as it was. Events journaled before the repeats
   * were carried here have none (an {@link ImpressionsRepeated} followed them). {@code batch}: as
   * in {@link ImpressionsShown}.
   */
  public record InteractionsRecorded(
      List<Interaction> interactions,
      Map<Integer, float[]> embeddings,
      int[] repeated,
      long repeatedAt,
      long batch)
      implements Event {

    public InteractionsRecorded {
      if (repeated == null) repeated = new int[0];
    }

    /** A batch without a batch id (journaled before they were carried: 0). */
    public InteractionsRecorded(
        List<Interaction> interactions,
        Map<Integer, float[]> embeddings,
        int[] repeated,
        long repeatedAt) {
      this(interactions, embeddings, repeated, repeatedAt, 0L);
    }

    public InteractionsRecorded(List<Interaction> interactions, Map<Integer, float[]> embeddings) {
      this(interactions, embeddings, new int[0], 0L);
    }

    /** The answer the batch had: every event accepted, and the first-time impressions. */
    AppliedBatches.Answer answer() {
      int impressions = 0;
      for (Interaction i : interactions) if (i.type() == InteractionType.IMPRESSION) impressions++;
      return new AppliedBatches.Answer(interactions.size() + repeated.length, impressions);
    }

    public InteractionsRecorded(List<Interaction> interactions) {
      this(interactions, Map.of());
    }

    /** The embedding the event holds for the item, or {@code null}. */
    float[] embeddingOf(int itemId) {
      return embeddings == null ? null : embeddings.get(itemId);
    }
  }

  /** The user's cold-start persona was set (replacing any earlier one). */
  public record PersonaSet(Persona persona) implements Event {}

  /** An outside model's vector for the user was pushed (replacing any earlier one). */
  public record FeaturesPushed(PushedVector pushed) implements Event {}

  /**
   * The coverage thresholds the user is above changed: a crossing (signalled to the pool
   * coordinator once persisted) or a re-arm after new items brought coverage down.
   */
  public record PoolLevelsChanged(PoolLevels levels) implements Event {}

  /** Seen items were served again in replay mode; no impression is recorded. */
  public record ItemsReplayed(int[] itemIds, long atMillis) implements Event {}

  public record FavoriteAdded(int itemId, long atMillis) implements Event {}

  public record FavoriteRemoved(int itemId) implements Event {}

  /** The user gave or withdrew consent; withdrawing drops the behavioural state. */
  public record ConsentSet(boolean consent, long atMillis) implements Event {}

  /**
   * The user was erased: the state is empty from here on. The event itself is deleted with the rest
   * of the journal up to it; should that deletion not happen (a crash), recovery still ends empty
   * here.
   */
  public record UserForgotten(long atMillis) implements Event {}

  /**
   * Mutable by the event handler only, as Pekko allows, through one transition per event; snapshots
   * serialize it under the property names it has always had. Commands read it through its
   * accessors.
   */
  public static final class State implements CborSerializable {
    @JsonProperty("seen")
    private final SeenSet seen;

    @JsonProperty("lastImpressionAt")
    private long lastImpressionAt;

    @JsonProperty("features")
    private final UserFeatures features;

    @JsonProperty("pool")
    private PoolLevels pool;

    @JsonProperty("favorites")
    private final Favorites favorites;

    @JsonProperty("replays")
    private final Replays replays;

    /**
     * May the user's behaviour be stored and used? Without consent the behavioural parts stay
     * empty.
     */
    @JsonProperty("consent")
    private boolean consent;

    /** The last batches that came with a batch id, so that one sent again is not recorded twice. */
    @JsonProperty("batches")
    private final AppliedBatches batches;

    /**
     * Items engaged with before any impression of them: seen, but their impression, when it
     * arrives, is still their first.
     */
    @JsonProperty("unshown")
    private final EngagedUnshown unshown;

    public State() {
      this(
          new SeenSet(),
          0L,
          new UserFeatures(),
          PoolLevels.NONE,
          new Favorites(),
          new Replays(),
          true);
    }

    @JsonCreator
    public State(
        @JsonProperty("seen") SeenSet seen,
        @JsonProperty("lastImpressionAt") long lastImpressionAt,
        @JsonProperty("features") UserFeatures features,
        @JsonProperty("pool") PoolLevels pool,
        @JsonProperty("favorites") Favorites favorites,
        @JsonProperty("replays") Replays replays,
        @JsonProperty("consent") Boolean consent,
        @JsonProperty("batches") AppliedBatches batches,
        @JsonProperty("unshown") EngagedUnshown unshown) {
      this.seen = seen;
      this.lastImpressionAt = lastImpressionAt;
      // snapshots taken before a part existed have none
      this.features = features == null ? new UserFeatures() : features;
      this.pool = pool == null ? PoolLevels.NONE : pool;
      this.favorites = favorites == null ? new Favorites() : favorites;
      this.replays = replays == null ? new Replays() : replays;
      // users from before consent existed had not withdrawn it
      this.consent = consent == null || consent;
      this.batches = batches == null ? new AppliedBatches() : batches;
      this.unshown = unshown == null ? new EngagedUnshown() : unshown;
    }

    public State(
        SeenSet seen,
        long lastImpressionAt,
        UserFeatures features,
        PoolLevels pool,
        Favorites favorites,
        Replays replays,
        Boolean consent) {
      this(seen, lastImpressionAt, features, pool, favorites, replays, consent, null, null);
    }

    public SeenSet seen() {
      return seen;
    }

    public long lastImpressionAt() {
      return lastImpressionAt;
    }

    public UserFeatures features() {
      return features;
    }

    public PoolLevels pool() {
      return pool;
    }

    public Favorites favorites() {
      return favorites;
    }

    public Replays replays() {
      return replays;
    }

    public boolean consent() {
      return consent;
    }

    public AppliedBatches batches() {
      return batches;
    }

    public EngagedUnshown unshown() {
      return unshown;
    }

    /**
     * The freshness band the user counts in; none without consent, as nothing of theirs is
     * recorded.
     */
    FreshnessBands.Band band(Freshness freshness, int atRiskUnseen) {
      return consent ? FreshnessBands.Band.of(freshness, atRiskUnseen) : null;
    }

    // ---- transitions, one per event; {@code features} is the entity's configuration, never the
    // catalog

    /** The first-time impressions move the state; the repeated ones change nothing. */
    State showImpressions(ImpressionsShown event, FeatureSettings settings) {
      batches.remember(event.batch(), event.firstTime().length, event.repeated().length);
      return firstTime(event.firstTime(), event.atMillis(), settings);
    }

    /** Legacy: the same transition as {@link #showImpressions} for its first-time impressions. */
    State recordImpressions(ImpressionsRecorded event, FeatureSettings settings) {
      return firstTime(event.itemIds(), event.atMillis(), settings);
    }

    private State firstTime(int[] itemIds, long atMillis, FeatureSettings settings) {
      // a batch of repeats only is no impression for the features or the session either
      if (itemIds.length == 0) return this;
      unshown.shown(itemIds);
      seen.addAll(itemIds);
      lastImpressionAt = Math.max(lastImpressionAt, atMillis);
      features.countImpressions(itemIds.length, atMillis, settings);
      return this;
    }

    /**
     * Each interaction implies the item was seen; the event carries all it needs of the item. An
     * engagement with an item not seen yet leaves it {@link EngagedUnshown}: its impression, when
     * it arrives, is still its first.
     */
    State applyInteractions(InteractionsRecorded event, FeatureSettings settings) {
      AppliedBatches.Answer answer = event.answer();
      batches.remember(event.batch(), answer.first(), answer.second());
      for (Interaction i : event.interactions()) {
        if (i.type() == InteractionType.IMPRESSION) unshown.shown(i.itemId());
        else if (!seen.contains(i.itemId())) unshown.engaged(i.itemId());
        seen.addAll(new int[] {i.itemId()});
        if (i.type() == InteractionType.IMPRESSION)
          lastImpressionAt = Math.max(lastImpressionAt, i.at());
        features.apply(i, event.embeddingOf(i.itemId()), settings);
      }
      return this;
    }

    State setPersona(Persona persona) {
      features.setPersona(persona);
      return this;
    }

    State pushed(FeaturesPushed event) {
      features.setPushed(event.pushed());
      return this;
    }

    State withPoolLevels(PoolLevels levels) {
      pool = levels;
      return this;
    }

    State replayed(ItemsReplayed event) {
      replays.record(event.itemIds(), event.atMillis());
      return this;
    }

    State addFavorite(FavoriteAdded event) {
      favorites.add(event.itemId(), event.atMillis());
      return this;
    }

    State removeFavorite(FavoriteRemoved event) {
      favorites.remove(event.itemId());
      return this;
    }

    State setConsent(ConsentSet event) {
      if (!event.consent()) return withdrawConsent();
      consent = true;
      return this;
    }

    /**
     * What is left when the user withdraws consent: the persona and favourites the user gave us,
     * nothing observed (seen items, view and replay counts, features, session, pool levels, the
     * vector an outside model pushed from what it observed).
     */
    private State withdrawConsent() {
      UserFeatures told = new UserFeatures();
      told.setPersona(features.persona());
      return new State(new SeenSet(), 0L, told, PoolLevels.NONE, favorites, new Replays(), false);
    }

    /** Nothing of the user is left: the state of a user never seen. */
    State forget() {
      return new State();
    }
  }

  // ---- sharding --------------------------------------------------------------------------------

  /** Registers the entity with Cluster Sharding on this node. */
  public static void init(
      ActorSystem<?> system,
      Supplier<CatalogSnapshot> catalog,
      Supplier<PopularityBoard> popularity,
      ActorRef<PoolCoordinator.Command> pool,
      UserEntitySettings settings,
      JournalLatency journalLatency,
      VectorLookup vectors,
      ServingModels models) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                entity ->
                    RejectedPersists.supervised(
                        last ->
                            behavior(
                                Optional.of(entity.getShard()),
                                entity.getEntityId(),
                                PersistenceId.of(TYPE_KEY.name(), entity.getEntityId()),
                                catalog,
                                popularity,
                                pool,
                                settings,
                                journalLatency,
                                vectors,
                                models,
                                last))));
  }

  /**
   * The entity outside Cluster Sharding (tests), supervised as Cluster Sharding runs it: a command
   * whose events the journal rejects is answered with an error. After {@link Forget} it stops
   * itself. {@code vectors} is the index behind candidate retrieval ({@link VectorLookup#none()}
   * for none).
   */
  public static Behavior<Command> create(
      String userId,
      PersistenceId persistenceId,
      Supplier<CatalogSnapshot> catalog,
      Supplier<PopularityBoard> popularity,
      ActorRef<PoolCoordinator.Command> pool,
      UserEntitySettings settings,
      JournalLatency journalLatency,
      VectorLookup vectors) {
    return create(
        userId,
        persistenceId,
        catalog,
        popularity,
        pool,
        settings,
        journalLatency,
        vectors,
        ServingModels.none());
  }

  /** {@link #create} with the trained models the node serves (collaborative filtering). */
  public static Behavior<Command> create(
      String userId,
      PersistenceId persistenceId,
      Supplier<CatalogSnapshot> catalog,
      Supplier<PopularityBoard> popularity,
      ActorRef<PoolCoordinator.Command> pool,
      UserEntitySettings settings,
      JournalLatency journalLatency,
      VectorLookup vectors,
      ServingModels models) {
    return RejectedPersists.supervised(
        last ->
            behavior(
                Optional.empty(),
                userId,
                persistenceId,
                catalog,
                popularity,
                pool,
                settings,
                journalLatency,
                vectors,
                models,
                last));
  }

  private static Behavior<Command> behavior(
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      String userId,
      PersistenceId persistenceId,
      Supplier<CatalogSnapshot> catalog,
      Supplier<PopularityBoard> popularity,
      ActorRef<PoolCoordinator.Command> pool,
      UserEntitySettings settings,
      JournalLatency journalLatency,
      VectorLookup vectors,
      ServingModels models,
      RejectedPersists.LastCommand last) {
    return Behaviors.setup(
        ctx ->
            new UserEntity(
                ctx,
                shard,
                userId,
                persistenceId,
                catalog,
                popularity,
                pool,
                settings,
                journalLatency,
                vectors,
                models,
                last));
  }

  // ---- behavior --------------------------------------------------------------------------------

  private final String userId;
  private final Supplier<CatalogSnapshot> catalog;
  private final Supplier<PopularityBoard> popularity;
  private final UserEntitySettings settings;
  private final Ranker ranker;
  private final Retrieval retrieval;
  private final ActorRef<PoolCoordinator.Command> pool;
  private final Set<String> readModelTag;
  private final ActorContext<Command> context;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final JournalLatency journalLatency;
  private final FreshnessBands bands;
  private final RejectedPersists.LastCommand lastCommand;
  private final FoldedVectors folded;

  /** The band this entity is counted in on this node; null while it is not counted. */
  private FreshnessBands.Band band;

  private UserEntity(
      ActorContext<Command> context,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard,
      String userId,
      PersistenceId persistenceId,
      Supplier<CatalogSnapshot> catalog,
      Supplier<PopularityBoard> popularity,
      ActorRef<PoolCoordinator.Command> pool,
      UserEntitySettings settings,
      JournalLatency journalLatency,
      VectorLookup vectors,
      ServingModels models,
      RejectedPersists.LastCommand lastCommand) {
    super(persistenceId);
    this.folded = new FoldedVectors(models);
    this.lastCommand = lastCommand;
    this.context = context;
    this.shard = shard;
    this.journalLatency = journalLatency;
    this.bands = FreshnessBands.get(context.getSystem());
    this.userId = userId;
    this.catalog = catalog;
    this.popularity = popularity;
    this.pool = pool;
    this.settings = settings;
    this.ranker = new Ranker(settings.ranking());
    this.retrieval = new Retrieval(settings.ranking(), vectors);
    this.readModelTag = Set.of(UserEventTags.of(userId, settings.tagSlices()));
  }

  @Override
  public State emptyState() {
    return new State();
  }

  /**
   * Only the events a read model projects are tagged; the rest never leave the entity's journal.
   */
  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof ImpressionsShown
        || event instanceof InteractionsRecorded
        // written only with freshet.user.legacy-batch-events, during a rolling upgrade
        || event instanceof ImpressionsRecorded
        || event instanceof ImpressionsRepeated) {
      return readModelTag;
    }
    return Set.of();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              state.seen().compact();
              countIn(bandOf(state, Freshness.of(state.seen(), catalog.get())));
            })
        // a restart builds a new entity object that counts itself again, so the old one leaves too
        .onSignal(PreRestart.instance(), state -> countIn(null))
        .onSignal(PostStop.instance(), state -> countIn(null))
        .build();
  }

  /**
   * A dispatch by type rather than Pekko's handler builder: the builder's tables are built for
   * every entity instance, about 2.5 KiB of heap per resident user ({@code
   * bench/run-footprint.sh}), and this lambda is a few bytes. Replies stay enforced: every branch
   * returns a {@link ReplyEffect}.
   */
  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return (state, command) -> {
      lastCommand.handling(command);
      ItemIdCommands.Resolved resolved = null;
      if (command instanceof RecordItemImpressions cmd)
        resolved = ItemIdCommands.resolve(cmd, catalog.get());
      else if (command instanceof RecordItemEvents cmd)
        resolved = ItemIdCommands.resolve(cmd, catalog.get());
      if (resolved != null) {
        if (resolved.refusal() != null) return refuse(command.replyTo(), resolved.refusal());
        command = resolved.command();
      }
      return state.consent() ? withConsent(state, command) : withoutConsent(state, command);
    };
  }

  /** Answers {@code replyTo} with an error, whatever success it waits for. */
  @SuppressWarnings("unchecked")
  private ReplyEffect<Event, State> refuse(
      ActorRef<? extends StatusReply<?>> replyTo, String refusal) {
    return Effect().reply((ActorRef<StatusReply<Object>>) replyTo, StatusReply.error(refusal));
  }

  /**
   * Consent is decided here, once: with it what the user does is recorded and the ranking is
   * personal; without it nothing is stored and the user is ranked as a brand-new user would be,
   * with no seen set, no features and no persona. Every other command is the same either way.
   */
  private ReplyEffect<Event, State> withConsent(State state, Command command) {
    if (command instanceof RecordImpressions cmd) return onRecord(state, cmd);
    if (command instanceof RecordEvents cmd) return onRecordEvents(state, cmd);
    if (command instanceof PushFeatures cmd) return onPushFeatures(cmd);
    if (command instanceof Recommend cmd) return onRecommend(state, cmd, true);
    if (command instanceof RecommendRetrieved cmd)
      return recommend(state, cmd.recommend(), cmd.retrieved(), true);
    return eitherWay(state, command);
  }

  private ReplyEffect<Event, State> withoutConsent(State state, Command command) {
    if (command instanceof PushFeatures cmd) {
      String refusal = pushRefusal(cmd);
      return Effect()
          .reply(
              cmd.replyTo(),
              refusal != null
                  ? StatusReply.error(refusal)
                  : StatusReply.success(new PushResult(false)));
    }
    if (command instanceof RecordImpressions cmd)
      return Effect().reply(cmd.replyTo(), StatusReply.success(new ImpressionsResult(0, 0, false)));
    if (command instanceof RecordEvents cmd)
      return Effect()
          .reply(
              cmd.replyTo(), StatusReply.success(new EventsResult(cmd.events().size(), 0, false)));
    if (command instanceof Recommend cmd) return onRecommend(state, cmd, false);
    if (command instanceof RecommendRetrieved cmd)
      return recommend(state, cmd.recommend(), cmd.retrieved(), false);
    return eitherWay(state, command);
  }

  private ReplyEffect<Event, State> eitherWay(State state, Command command) {
    if (command instanceof SetPersona cmd)
      return timed(Effect().persist(new PersonaSet(cmd.persona())), System.nanoTime())
          .thenReply(cmd.replyTo(), s -> StatusReply.success(Done.getInstance()));
    if (command instanceof SetConsent cmd) return onSetConsent(state, cmd);
    if (command instanceof Forget cmd) return onForget(state, cmd);
    if (command instanceof GetExport cmd) return onGetExport(state, cmd);
    if (command instanceof GetState cmd) return onGetState(state, cmd);
    if (command instanceof GetSeen cmd) {
      StatusReply<SeenItems> seen =
          StatusReply.success(new SeenItems(SeenSet.fromBytes(state.seen().toBytes())));
      return pristine() ? answerAndLeave(cmd.replyTo(), seen) : Effect().reply(cmd.replyTo(), seen);
    }
    if (command instanceof Replay cmd) return onReplay(state, cmd);
    if (command instanceof AddFavorite cmd) return onAddFavorite(state, cmd);
    if (command instanceof RemoveFavorite cmd) return onRemoveFavorite(state, cmd);
    if (command instanceof GetFavorites cmd)
      return pristine()
          ? answerAndLeave(cmd.replyTo(), favorites(state, false))
          : Effect().reply(cmd.replyTo(), favorites(state, false));
    throw new IllegalArgumentException("unknown command " + command.getClass().getName());
  }

  private ReplyEffect<Event, State> onRecord(State state, RecordImpressions cmd) {
    AppliedBatches.Answer applied = state.batches().find(cmd.batch());
    if (applied != null) {
      // sent again after its first answer was lost: answered as then, recorded once
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.success(
                  new ImpressionsResult(applied.first(), applied.second(), true, true)));
    }
    long start = System.nanoTime();
    BatchSplit split =
        BatchSplit.impressions(state.seen(), state.unshown(), cmd, settings.legacyBatchEvents());
    ImpressionsResult result = new ImpressionsResult(split.newImpressions(), split.repeats(), true);
    return persistWithPoolLevels(state, split, cmd.atMillis(), start)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(result));
  }

  private ReplyEffect<Event, State> onRecordEvents(State state, RecordEvents cmd) {
    AppliedBatches.Answer applied = state.batches().find(cmd.batch());
    if (applied != null) {
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.success(new EventsResult(applied.first(), applied.second(), true, true)));
    }
    long start = System.nanoTime();
    BatchSplit split =
        BatchSplit.interactions(
            state.seen(),
            state.unshown(),
            cmd.events(),
            catalog.get()::byDenseId,
            settings.features().signals(),
            settings.legacyBatchEvents(),
            cmd.batch());
    EventsResult result = new EventsResult(cmd.events().size(), split.newImpressions(), true);
    return persistWithPoolLevels(state, split, System.currentTimeMillis(), start)
        .thenRun(s -> folded.refresh(s.features().foldIn()))
        .thenReply(cmd.replyTo(), s -> StatusReply.success(result));
  }

  private ReplyEffect<Event, State> onPushFeatures(PushFeatures cmd) {
    String refusal = pushRefusal(cmd);
    if (refusal != null) return Effect().reply(cmd.replyTo(), StatusReply.error(refusal));
    PushedVector pushed = new PushedVector(cmd.vector().clone(), cmd.source(), cmd.atMillis());
    return timed(Effect().persist(new FeaturesPushed(pushed)), System.nanoTime())
        .thenReply(cmd.replyTo(), s -> StatusReply.success(new PushResult(true)));
  }

  /**
   * Why the pushed vector cannot be taken, naming the field, or {@code null}: checked here too, as
   * services in the cluster send the command without passing the edge.
   */
  private String pushRefusal(PushFeatures cmd) {
    return PushedVector.refusal(cmd.vector(), cmd.source(), settings.embeddingDimension());
  }

  // ---- consent, erasure and access -------------------------------------------------------------

  private ReplyEffect<Event, State> onSetConsent(State state, SetConsent cmd) {
    if (state.consent() == cmd.consent()) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.success(new ConsentView(state.consent(), false)));
    }
    long start = System.nanoTime();
    // the coordinator would otherwise keep listing a user whose seen items are gone
    boolean leavesRisk = !cmd.consent() && state.pool().atRisk();
    EffectBuilder<Event, State> effect =
        timed(Effect().persist(new ConsentSet(cmd.consent(), cmd.atMillis())), start)
            .thenRun(s -> countIn(bandOf(s, Freshness.of(s.seen(), catalog.get()))));
    if (leavesRisk) effect = effect.thenRun(s -> pool.tell(leftRisk(cmd.atMillis())));
    return effect.thenReply(
        cmd.replyTo(), s -> StatusReply.success(new ConsentView(s.consent(), true)));
  }

  private ReplyEffect<Event, State> onForget(State state, Forget cmd) {
    long start = System.nanoTime();
    // one event is persisted, so it gets the next sequence number
    long forgottenAt = lastSequenceNumber(context) + 1;
    EffectBuilder<Event, State> effect =
        timed(Effect().persist(new UserForgotten(cmd.atMillis())), start);
    if (state.pool().atRisk()) effect = effect.thenRun(s -> pool.tell(leftRisk(cmd.atMillis())));
    effect = shard.isEmpty() ? effect.thenStop() : effect.thenRun(s -> passivate());
    return effect.thenReply(cmd.replyTo(), s -> StatusReply.success(new Forgotten(forgottenAt)));
  }

  private PoolCoordinator.RiskReport leftRisk(long now) {
    return PoolUpdate.leftRisk(userId, catalog.get(), now);
  }

  private ReplyEffect<Event, State> onGetExport(State state, GetExport cmd) {
    UserExport export =
        new UserExport(
            view(userId, state, catalog.get(), System.currentTimeMillis(), settings),
            state.features().persona(),
            state.features().vector(),
            state.seen().toArray(),
            state.favorites().newestFirst(),
            state.features().pushed() == null ? null : state.features().pushed().vector());
    return Effect().reply(cmd.replyTo(), StatusReply.success(export));
  }

  /** Reports the time from the command to the write being durable once it is. */
  private EffectBuilder<Event, State> timed(EffectBuilder<Event, State> persist, long startNanos) {
    return persist.thenRun(s -> journalLatency.record(System.nanoTime() - startNanos));
  }

  // ---- freshness and pool-low signals ---------------------------------------------------------

  /**
   * Persists the batch's events together with the user's new pool levels if they moved, then tells
   * the pool coordinator of each threshold crossed and of the user's at-risk state.
   */
  private EffectBuilder<Event, State> persistWithPoolLevels(
      State state, BatchSplit split, long now, long startNanos) {
    PoolUpdate update =
        PoolUpdate.of(userId, state, split.firstSeen(), catalog.get(), settings, now);
    List<Event> events = split.events();
    if (update.moved()) {
      events = new ArrayList<>(events);
      events.add(new PoolLevelsChanged(update.levels()));
    }
    EffectBuilder<Event, State> effect =
        events.isEmpty() ? Effect().none() : timed(Effect().persist(events), startNanos);
    if (update.band() != band) effect = effect.thenRun(s -> countIn(update.band()));
    return update.messages().isEmpty()
        ? effect
        : effect.thenRun(s -> update.messages().forEach(pool::tell));
  }

  private FreshnessBands.Band bandOf(State state, Freshness freshness) {
    return state.band(freshness, settings.pool().atRiskUnseen());
  }

  /**
   * Moves this entity to {@code next} in the node's freshness bands ({@code null}: out of them).
   */
  private void countIn(FreshnessBands.Band next) {
    bands.move(band, next);
    band = next;
  }

  // ---- ranking and replay
  // ------------------------------------------------------------------------

  /**
   * Starts the ranking's vector lookups; an embedded index answers at once and the ranking is
   * served in this message, a remote one's answer comes back as {@link RecommendRetrieved}. Without
   * consent ({@code personal} false) the user is ranked as a brand-new user would be.
   */
  private ReplyEffect<Event, State> onRecommend(State state, Recommend cmd, boolean personal) {
    State basis = personal ? state : new State();
    CompletableFuture<Retrieval.Retrieved> lookups =
        retrieval
            .start(
                rankingContext(basis, cmd.request().timeOr(System.currentTimeMillis())),
                cmd.request(),
                variantOf(cmd))
            .toCompletableFuture();
    if (lookups.isDone() && !lookups.isCompletedExceptionally())
      return recommend(state, cmd, lookups.join(), personal);
    context.pipeToSelf(
        lookups,
        (retrieved, failure) ->
            new RecommendRetrieved(
                cmd, retrieved != null ? retrieved : Retrieval.Retrieved.failed(failure)));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> recommend(
      State state, Recommend cmd, Retrieval.Retrieved retrieved, boolean personal) {
    long start = System.nanoTime();
    long now = System.currentTimeMillis();
    RankingResult result =
        rank(personal ? state : new State(), cmd, cmd.request().timeOr(now), personal, retrieved);
    if (!personal) return Effect().reply(cmd.replyTo(), StatusReply.success(result));
    if (pristine()) return answerAndLeave(cmd.replyTo(), StatusReply.success(result));
    // the catalog may have changed since the user's last impression: levels move (and signal) here
    // too
    return persistWithPoolLevels(state, BatchSplit.NONE, now, start)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(result));
  }

  /**
   * Ranks for {@code basis}: the user, or a brand-new user when nothing of the user's may be used
   * (then the result is not {@code personal}).
   */
  private RankingResult rank(
      State basis, Recommend cmd, long now, boolean personal, Retrieval.Retrieved retrieved) {
    RankingContext context = rankingContext(basis, now);
    RankingSettings ranking = settings.ranking();
    Variant variant = variantOf(cmd);
    Ranking served =
        ranker.rank(context, cmd.request(), UUID.randomUUID().toString(), variant, retrieved);
    Ranking shadow =
        ranking
            .shadow()
            .map(
                shadowVariant ->
                    ranker.rank(
                        context,
                        cmd.request(),
                        UUID.randomUUID().toString(),
                        shadowVariant,
                        retrieved))
            .orElse(null);
    return new RankingResult(served, shadow, personal);
  }

  /** A variant asked for by name (validated at the edge) replaces the user's own. */
  private Variant variantOf(Recommend cmd) {
    RankingSettings ranking = settings.ranking();
    return cmd.request()
        .variant()
        .flatMap(ranking::variantNamed)
        .orElseGet(() -> ranking.variantOf(userId));
  }

  private RankingContext rankingContext(State basis, long now) {
    return new RankingContext(
        catalog.get(),
        popularity.get(),
        basis.seen(),
        basis.features(),
        now,
        settings.features(),
        folded.of(basis.features().foldIn()));
  }

  private ReplyEffect<Event, State> onReplay(State state, Replay cmd) {
    RankingContext context = rankingContext(state, System.currentTimeMillis());
    Ranking ranking =
        ranker.rank(
            context,
            RankingRequest.replay(cmd.k(), cmd.category()),
            UUID.randomUUID().toString(),
            settings.ranking().variantOf(userId));
    if (ranking.items().isEmpty())
      return Effect().reply(cmd.replyTo(), StatusReply.success(new ReplayResult(List.of())));
    int[] ids =
        ranking.items().stream()
            .mapToInt(r -> context.catalog().byId(r.id()).orElseThrow().denseId())
            .toArray();
    return timed(Effect().persist(new ItemsReplayed(ids, cmd.atMillis())), System.nanoTime())
        .thenReply(
            cmd.replyTo(),
            s -> {
              List<ReplayedItem> items = new ArrayList<>(ids.length);
              for (int i = 0; i < ids.length; i++) {
                items.add(
                    new ReplayedItem(
                        ranking.items().get(i),
                        s.replays().count(ids[i]),
                        s.replays().lastReplayedAt(ids[i])));
              }
              return StatusReply.success(new ReplayResult(items));
            });
  }

  // ---- favourites
  // --------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onAddFavorite(State state, AddFavorite cmd) {
    if (state.favorites().contains(cmd.itemId()))
      return Effect().reply(cmd.replyTo(), favorites(state, false));
    if (state.favorites().isFull()) {
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.error("a user keeps at most " + Favorites.MAX + " favorites"));
    }
    return timed(
            Effect().persist(new FavoriteAdded(cmd.itemId(), cmd.atMillis())), System.nanoTime())
        .thenReply(cmd.replyTo(), s -> favorites(s, true));
  }

  private ReplyEffect<Event, State> onRemoveFavorite(State state, RemoveFavorite cmd) {
    if (!state.favorites().contains(cmd.itemId()))
      return Effect().reply(cmd.replyTo(), favorites(state, false));
    return timed(Effect().persist(new FavoriteRemoved(cmd.itemId())), System.nanoTime())
        .thenReply(cmd.replyTo(), s -> favorites(s, true));
  }

  private static StatusReply<FavoritesView> favorites(State state, boolean changed) {
    return StatusReply.success(new FavoritesView(state.favorites().newestFirst(), changed));
  }

  private ReplyEffect<Event, State> onGetState(State state, GetState cmd) {
    UserStateView view = view(userId, state, catalog.get(), System.currentTimeMillis(), settings);
    if (pristine()) return answerAndLeave(cmd.replyTo(), StatusReply.success(view));
    return Effect().reply(cmd.replyTo(), StatusReply.success(view));
  }

  /**
   * Whether nothing of this user was ever journaled: a user the node has never heard of, or only
   * asked about. Such an entity is cheap to recover and holds nothing worth keeping in memory.
   */
  private boolean pristine() {
    return lastSequenceNumber(context) == 0;
  }

  /**
   * Answers a read of a pristine user and leaves memory at once (under Cluster Sharding), instead
   * of lingering for the idle timeout: rankings for visitors who never come back would otherwise
   * fill the node with empty entities.
   */
  private <R> ReplyEffect<Event, State> answerAndLeave(
      ActorRef<StatusReply<R>> replyTo, StatusReply<R> answer) {
    return shard.isEmpty() || !settings.passivatePristine()
        ? Effect().reply(replyTo, answer)
        : Effect().none().thenRun(s -> passivate()).thenReply(replyTo, s -> answer);
  }

  /** Asks the shard to stop this entity; what arrives meanwhile starts a fresh one. */
  private void passivate() {
    shard.ifPresent(ref -> ref.tell(new ClusterSharding.Passivate<>(context.getSelf())));
  }

  /** The state figures against the current pool: seen counts every item ever shown. */
  static UserStateView view(
      String userId, State state, CatalogSnapshot catalog, long now, UserEntitySettings settings) {
    Freshness freshness = Freshness.of(state.seen(), catalog);
    FeatureSummary features =
        state.features().summary(now, settings.features(), state.lastImpressionAt());
    return new UserStateView(
        userId,
        state.seen().size(),
        freshness.unseen(),
        freshness.poolSize(),
        freshness.coverage(),
        Freshness.byCategory(state.seen(), catalog),
        state.pool().thresholdsAbove(settings.pool()),
        state.favorites().size(),
        state.replays().total(),
        features,
        state.consent());
  }

  /** One transition of the state per event (a lambda, not a builder's table per instance). */
  @Override
  public EventHandler<State, Event> eventHandler() {
    FeatureSettings features = settings.features();
    return (state, event) -> apply(state, event, features);
  }

  static State apply(State state, Event event, FeatureSettings features) {
    if (event instanceof ImpressionsShown e) return state.showImpressions(e, features);
    if (event instanceof InteractionsRecorded e) return state.applyInteractions(e, features);
    if (event instanceof PersonaSet e) return state.setPersona(e.persona());
    if (event instanceof FeaturesPushed e) return state.pushed(e);
    if (event instanceof PoolLevelsChanged e) return state.withPoolLevels(e.levels());
    if (event instanceof ItemsReplayed e) return state.replayed(e);
    if (event instanceof FavoriteAdded e) return state.addFavorite(e);
    if (event instanceof FavoriteRemoved e) return state.removeFavorite(e);
    if (event instanceof ConsentSet e) return state.setConsent(e);
    if (event instanceof UserForgotten) return state.forget();
    // legacy events, from journals written before ImpressionsShown
    if (event instanceof ImpressionsRecorded e) return state.recordImpressions(e, features);
    if (event instanceof ImpressionsRepeated) return state;
    throw new IllegalArgumentException("unknown event " + event.getClass().getName());
  }
}
