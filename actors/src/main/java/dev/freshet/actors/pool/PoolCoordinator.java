package dev.freshet.actors.pool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.freshet.actors.CborSerializable;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One per cluster (a Cluster Singleton): collects users' pool-low signals over a short window,
 * turns the demand of many users into one sized request per category (or one for any category),
 * asks the {@link PoolGenerator} for items and puts them into the catalog like {@code POST
 * /v1/items} does. A category never has two requests in flight; demand arriving meanwhile waits,
 * and is dropped when the finished request already asked for as much. A failed request is recorded
 * with its reason and its demand is asked for again after a back-off, so no demand is lost to a
 * failing generator.
 *
 * <p>Its bookkeeping (waiting demand, requests in flight and finished, users at risk, totals) is
 * event-sourced on the journal ({@link State}, {@link Event}), so it survives a move of the
 * singleton. Signals and at-risk reports are frequent (an at-risk user reports with every batch of
 * impressions), so they are not journaled one by one: they are buffered in memory ({@link Pending})
 * and journaled as one {@link Recorded} every {@code freshet.pool.persist-interval} (1 s), before
 * every request started or finished, at 10,000 buffered entries, and when the singleton hands over
 * (its stop message). What a node that dies may lose is the buffer: at most one interval of signals
 * and reports (users whose crossing is lost signal again at their next crossing; an at-risk user
 * reports again with the next batch). A request is journaled ({@link RequestsStarted}) before the
 * generator is asked, so it is never lost: a new incarnation asks the generator again for every
 * request still in flight, once, under the same request id (the demo generator derives its item ids
 * from it, a webhook receives it), and the first result for that id settles it; any later one is
 * ignored.
 */
public final class PoolCoordinator
    extends EventSourcedBehaviorWithEnforcedReplies<
        PoolCoordinator.Command, PoolCoordinator.Event, PoolCoordinator.State> {

  /** The coordinator's journal: one per cluster, like the singleton. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("pool-coordinator");

  /** Users at risk the coordinator keeps track of; beyond this the oldest reports are forgotten. */
  static final int MAX_AT_RISK = 100_000;

  /** Users one category's demand lists; beyond this more users no longer raise its count. */
  static final int MAX_USERS_PER_DEMAND = 100_000;

  /** Buffered signals and reports that make the coordinator journal them before its next tick. */
  static final int MAX_BUFFERED = 10_000;

  /** Longest user id or category a signal may name (item and user ids have at most 128). */
  static final int MAX_NAME = 256;

  private static final int MAX_REASON = 1_000;
  private static final int STATUS_PAGE = 100;

  // ---- protocol ------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /** A user crossed a coverage threshold. */
  public record Signal(PoolLowSignal signal) implements Command {}

  /**
   * A user's unseen count while at risk or on leaving it ({@code atRisk} false). {@code
   * denseIdBound} is the catalog's at the time, so that items added since can be counted as unseen.
   */
  public record RiskReport(
      String userId, int unseen, boolean atRisk, int denseIdBound, long atMillis)
      implements Command {}

  public record GetStatus(ActorRef<PoolStatus> replyTo) implements Command {}

  /**
   * The singleton's stop message (Cluster Singleton sends it when the coordinator hands over to
   * another node): journals what is buffered, then stops.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  /** The aggregation window closed, or a backed-off demand may be asked for again. */
  enum Flush implements Command {
    INSTANCE
  }

  /** Time to journal what is buffered. */
  enum Tick implements Command {
    INSTANCE
  }

  /** The generator's answer to a request, as its items in the catalog or a failure. */
  record Finished(GenerationRequest request, List<Item> items, Throwable failure)
      implements Command {}

  // ---- events --------------------------------------------------------------------------------

  /**
   * Every event tolerates its own evolution: fields added later are absent ({@code null} or 0) in
   * events journaled before, and normalised here; fields it no longer has are ignored on reading
   * ({@code FAIL_ON_UNKNOWN_PROPERTIES} is off).
   */
  public sealed interface Event extends CborSerializable {}

  /**
   * What one tick buffered: demand per category (its users, the largest size wanted, the
   * thresholds), at-risk reports in the order they came (the latest per user), users that left
   * risk, and how many signals that was.
   */
  public record Recorded(List<Demand> demand, List<RiskChange> risk, long signals, long atMillis)
      implements Event {
    public Recorded {
      demand = demand == null ? List.of() : demand;
      risk = risk == null ? List.of() : risk;
    }
  }

  /** Requests about to be sent to the generator, each with the demand it stands for. */
  public record RequestsStarted(List<Started> requests, long atMillis) implements Event {
    public RequestsStarted {
      requests = requests == null ? List.of() : requests;
    }
  }

  /** The generator made these items and they are in the catalog. */
  public record RequestCompleted(String requestId, List<String> itemIds, long atMillis)
      implements Event {
    public RequestCompleted {
      itemIds = itemIds == null ? List.of() : itemIds;
    }
  }

  /** The request failed; its demand waits until {@code notBeforeMillis} to be asked for again. */
  public record RequestFailed(String requestId, String reason, long notBeforeMillis, long atMillis)
      implements Event {}

  /**
   * Demand of one category ({@code null}: any) not yet asked for: the users behind it (each once),
   * the largest size any of them wanted, whether one was urgent, the thresholds crossed, the
   * attempt it will be asked for in and the earliest time it may be.
   */
  public record Demand(
      String category,
      List<String> users,
      int wanted,
      boolean urgent,
      List<Double> thresholds,
      int attempt,
      long notBeforeMillis)
      implements CborSerializable {

    public Demand {
      users = users == null ? List.of() : users;
      thresholds = thresholds == null ? List.of() : thresholds;
      attempt = Math.max(1, attempt);
    }

    /** Both demands as one: every user, the larger size, the later attempt and retry time. */
    Demand merge(Demand other) {
      return new Demand(
          category,
          union(users, other.users),
          Math.max(wanted, other.wanted),
          urgent || other.urgent,
          sortedUnion(thresholds, other.thresholds),
          Math.max(attempt, other.attempt),
          Math.max(notBeforeMillis, other.notBeforeMillis));
    }

    Demand retry(int nextAttempt, long notBefore) {
      return new Demand(category, users, wanted, urgent, thresholds, nextAttempt, notBefore);
    }

    private static List<String> union(List<String> a, List<String> b) {
      if (b.isEmpty() || a.size() >= MAX_USERS_PER_DEMAND) return a;
      Set<String> all = new LinkedHashSet<>(a);
      for (String user : b) {
        if (all.size() >= MAX_USERS_PER_DEMAND) break;
        all.add(user);
      }
      return all.size() == a.size() ? a : List.copyOf(all);
    }

    private static List<Double> sortedUnion(List<Double> a, List<Double> b) {
      TreeSet<Double> all = new TreeSet<>(a);
      all.addAll(b);
      return List.copyOf(all);
    }
  }

  /** A request sent to the generator and the demand it stands for (asked for again if it fails). */
  public record Started(GenerationRequest request, Demand demand) implements CborSerializable {}

  /** A user's at-risk report ({@code atRisk} false: the user left risk). */
  public record RiskChange(
      String userId, boolean atRisk, int unseen, int denseIdBound, long atMillis)
      implements CborSerializable {

    static RiskChange left(String userId, long atMillis) {
      return new RiskChange(userId, false, 0, 0, atMillis);
    }
  }

  /** A user at risk as last reported. */
  public record AtRisk(String userId, int unseen, int denseIdBound, long atMillis)
      implements CborSerializable {

    /** Items created after the report are unseen by the user: count them in. */
    int unseenNow(CatalogSnapshot snapshot, Map<Integer, Integer> newerThan) {
      int newer =
          newerThan.computeIfAbsent(
              denseIdBound,
              bound ->
                  (int)
                      snapshot
                          .activeBitmap()
                          .rangeCardinality(Math.max(0, bound), Integer.MAX_VALUE));
      return unseen + newer;
    }
  }

  /**
   * Users at risk, oldest report first, as columns (a snapshot of 100,000 of them as a list of
   * objects repeats every field name 100,000 times: 59 bytes a user, against about 20). Columns
   * shorter than {@code users} (a snapshot of a version that had fewer) read as 0.
   */
  public record AtRiskColumns(
      List<String> users, int[] unseen, int[] denseIdBounds, long[] atMillis)
      implements CborSerializable {

    static AtRiskColumns of(Collection<AtRisk> rows) {
      int n = rows.size();
      List<String> users = new ArrayList<>(n);
      int[] unseen = new int[n], bounds = new int[n];
      long[] at = new long[n];
      int i = 0;
      for (AtRisk r : rows) {
        users.add(r.userId());
        unseen[i] = r.unseen();
        bounds[i] = r.denseIdBound();
        at[i++] = r.atMillis();
      }
      return new AtRiskColumns(users, unseen, bounds, at);
    }

    List<AtRisk> rows() {
      if (users == null) return List.of();
      List<AtRisk> rows = new ArrayList<>(users.size());
      for (int i = 0; i < users.size(); i++) {
        rows.add(
            new AtRisk(
                users.get(i),
                unseen != null && i < unseen.length ? unseen[i] : 0,
                denseIdBounds != null && i < denseIdBounds.length ? denseIdBounds[i] : 0,
                atMillis != null && i < atMillis.length ? atMillis[i] : 0L));
      }
      return rows;
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  /**
   * The coordinator's bookkeeping. Immutable: every transition returns a new state and shares what
   * it did not change (so a snapshot being written never sees a later event). Snapshots hold it
   * under the JSON properties of its accessors; a part missing in an older snapshot starts empty.
   */
  public static final class State implements CborSerializable {

    public static final State EMPTY =
        new State(
            new LinkedHashMap<>(),
            new LinkedHashMap<>(),
            new LinkedHashMap<>(),
            List.of(),
            List.of(),
            new PoolStatus.Totals(0, 0, 0, 0, 0));

    /** By category key ("" = any category), in the order demand first arrived. */
    @JsonIgnore private final LinkedHashMap<String, Demand> waitingByKey;

    /** By category key: at most one request in flight per category. */
    @JsonIgnore private final LinkedHashMap<String, Started> inFlightByKey;

    /** By user, the oldest report first. */
    @JsonIgnore private final LinkedHashMap<String, AtRisk> atRiskByUser;

    /** Oldest first. */
    @JsonIgnore private final List<PoolStatus.RequestRecord> completedRequests;

    @JsonIgnore private final List<PoolStatus.RequestRecord> failedRequests;
    @JsonIgnore private final PoolStatus.Totals totalCounts;

    private State(
        LinkedHashMap<String, Demand> waiting,
        LinkedHashMap<String, Started> inFlight,
        LinkedHashMap<String, AtRisk> atRisk,
        List<PoolStatus.RequestRecord> completed,
        List<PoolStatus.RequestRecord> failed,
        PoolStatus.Totals totals) {
      this.waitingByKey = waiting;
      this.inFlightByKey = inFlight;
      this.atRiskByUser = atRisk;
      this.completedRequests = completed;
      this.failedRequests = failed;
      this.totalCounts = totals;
    }

    @JsonCreator
    public static State fromSnapshot(
        @JsonProperty("waiting") List<Demand> waiting,
        @JsonProperty("inFlight") List<Started> inFlight,
        @JsonProperty("atRiskColumns") AtRiskColumns atRisk,
        @JsonProperty("completed") List<PoolStatus.RequestRecord> completed,
        @JsonProperty("failed") List<PoolStatus.RequestRecord> failed,
        @JsonProperty("totals") PoolStatus.Totals totals) {
      LinkedHashMap<String, Demand> w = new LinkedHashMap<>();
      if (waiting != null) waiting.forEach(d -> w.put(key(d.category()), d));
      LinkedHashMap<String, Started> f = new LinkedHashMap<>();
      if (inFlight != null) inFlight.forEach(s -> f.put(key(s.request().category()), s));
      LinkedHashMap<String, AtRisk> r = new LinkedHashMap<>();
      if (atRisk != null) atRisk.rows().forEach(a -> r.put(a.userId(), a));
      return new State(
          w,
          f,
          r,
          completed == null ? List.of() : List.copyOf(completed),
          failed == null ? List.of() : List.copyOf(failed),
          totals == null ? EMPTY.totalCounts : totals);
    }

    /** The users at risk in a snapshot: one column per field, about 20 bytes a user. */
    @JsonProperty("atRiskColumns")
    AtRiskColumns atRiskColumns() {
      return AtRiskColumns.of(atRiskByUser.values());
    }

    @JsonProperty("waiting")
    public List<Demand> waiting() {
      return List.copyOf(waitingByKey.values());
    }

    @JsonProperty("inFlight")
    public List<Started> inFlight() {
      return List.copyOf(inFlightByKey.values());
    }

    /** Every user at risk, the oldest report first. */
    public List<AtRisk> atRisk() {
      return List.copyOf(atRiskByUser.values());
    }

    @JsonProperty("completed")
    public List<PoolStatus.RequestRecord> completed() {
      return completedRequests;
    }

    @JsonProperty("failed")
    public List<PoolStatus.RequestRecord> failed() {
      return failedRequests;
    }

    @JsonProperty("totals")
    public PoolStatus.Totals totals() {
      return totalCounts;
    }

    public int usersAtRisk() {
      return atRiskByUser.size();
    }

    public Optional<AtRisk> atRisk(String userId) {
      return Optional.ofNullable(atRiskByUser.get(userId));
    }

    /** The demand waiting for {@code category} ({@code null}: any). */
    public Optional<Demand> waitingFor(String category) {
      return Optional.ofNullable(waitingByKey.get(key(category)));
    }

    /** The request in flight with this id, if it still is. */
    public Optional<Started> inFlight(String requestId) {
      for (Started s : inFlightByKey.values()) {
        if (s.request().id().equals(requestId)) return Optional.of(s);
      }
      return Optional.empty();
    }

    // ---- transitions: one per event, pure ----

    public State apply(Event event, int keepFinished) {
      if (event instanceof Recorded e) return recorded(e);
      if (event instanceof RequestsStarted e) return started(e);
      if (event instanceof RequestCompleted e) return completed(e, keepFinished);
      if (event instanceof RequestFailed e) return failed(e, keepFinished);
      throw new IllegalArgumentException("unknown event " + event);
    }

    /** The demand merged into what waits (nothing else changes). */
    State withDemand(List<Demand> added) {
      if (added.isEmpty()) return this;
      LinkedHashMap<String, Demand> waiting = new LinkedHashMap<>(waitingByKey);
      for (Demand d : added) waiting.merge(key(d.category()), d, Demand::merge);
      return new State(
          waiting, inFlightByKey, atRiskByUser, completedRequests, failedRequests, totalCounts);
    }

    State recorded(Recorded e) {
      State s = withDemand(e.demand());
      LinkedHashMap<String, AtRisk> atRisk = atRiskByUser;
      if (!e.risk().isEmpty()) {
        atRisk = new LinkedHashMap<>(atRiskByUser);
        for (RiskChange c : e.risk()) {
          atRisk.remove(c.userId());
          if (c.atRisk()) {
            atRisk.put(
                c.userId(), new AtRisk(c.userId(), c.unseen(), c.denseIdBound(), c.atMillis()));
            if (atRisk.size() > MAX_AT_RISK) atRisk.remove(atRisk.keySet().iterator().next());
          }
        }
      }
      PoolStatus.Totals t = totalCounts;
      return new State(
          s.waitingByKey,
          inFlightByKey,
          atRisk,
          completedRequests,
          failedRequests,
          new PoolStatus.Totals(
              t.signals() + e.signals(),
              t.requests(),
              t.completed(),
              t.failed(),
              t.itemsGenerated()));
    }

    State started(RequestsStarted e) {
      if (e.requests().isEmpty()) return this;
      LinkedHashMap<String, Demand> waiting = new LinkedHashMap<>(waitingByKey);
      LinkedHashMap<String, Started> inFlight = new LinkedHashMap<>(inFlightByKey);
      for (Started s : e.requests()) {
        String key = key(s.request().category());
        waiting.remove(key);
        inFlight.put(key, s);
      }
      PoolStatus.Totals t = totalCounts;
      return new State(
          waiting,
          inFlight,
          atRiskByUser,
          completedRequests,
          failedRequests,
          new PoolStatus.Totals(
              t.signals(),
              t.requests() + e.requests().size(),
              t.completed(),
              t.failed(),
              t.itemsGenerated()));
    }

    /**
     * The request's items are in the catalog; demand that arrived meanwhile and wanted no more is
     * met.
     */
    State completed(RequestCompleted e, int keepFinished) {
      Started s = inFlight(e.requestId()).orElse(null);
      if (s == null) return this;
      String key = key(s.request().category());
      LinkedHashMap<String, Started> inFlight = new LinkedHashMap<>(inFlightByKey);
      inFlight.remove(key);
      LinkedHashMap<String, Demand> waiting = waitingByKey;
      Demand meanwhile = waiting.get(key);
      if (meanwhile != null && meanwhile.wanted() <= s.request().count()) {
        waiting = new LinkedHashMap<>(waitingByKey);
        waiting.remove(key);
      }
      PoolStatus.Totals t = totalCounts;
      return new State(
          waiting,
          inFlight,
          atRiskByUser,
          keepLatest(
              completedRequests,
              new PoolStatus.RequestRecord(
                  s.request(), "completed", e.atMillis(), List.copyOf(e.itemIds()), null),
              keepFinished),
          failedRequests,
          new PoolStatus.Totals(
              t.signals(),
              t.requests(),
              t.completed() + 1,
              t.failed(),
              t.itemsGenerated() + e.itemIds().size()));
    }

    /** The request's demand waits again, with what arrived meanwhile, for its next attempt. */
    State failed(RequestFailed e, int keepFinished) {
      Started s = inFlight(e.requestId()).orElse(null);
      if (s == null) return this;
      String key = key(s.request().category());
      LinkedHashMap<String, Started> inFlight = new LinkedHashMap<>(inFlightByKey);
      inFlight.remove(key);
      LinkedHashMap<String, Demand> waiting = new LinkedHashMap<>(waitingByKey);
      Demand again = s.demand().retry(s.request().attempt() + 1, e.notBeforeMillis());
      Demand meanwhile = waiting.remove(key);
      if (meanwhile != null) again = again.merge(meanwhile);
      waiting.put(key, again);
      PoolStatus.Totals t = totalCounts;
      return new State(
          waiting,
          inFlight,
          atRiskByUser,
          completedRequests,
          keepLatest(
              failedRequests,
              new PoolStatus.RequestRecord(
                  s.request(), "failed", e.atMillis(), List.of(), e.reason()),
              keepFinished),
          new PoolStatus.Totals(
              t.signals(), t.requests(), t.completed(), t.failed() + 1, t.itemsGenerated()));
    }

    // ---- decisions: pure ----

    /**
     * The requests to start now: one per category with demand, unless one is in flight or the
     * demand is backing off.
     */
    List<Started> due(long now, int maxRequestSize, Supplier<String> ids) {
      List<Started> due = new ArrayList<>();
      waitingByKey.forEach(
          (key, d) -> {
            if (inFlightByKey.containsKey(key) || d.notBeforeMillis() > now) return;
            due.add(
                new Started(
                    new GenerationRequest(
                        ids.get(),
                        category(key),
                        Math.min(maxRequestSize, d.wanted()),
                        d.urgent(),
                        d.users().size(),
                        reason(d, key),
                        d.attempt(),
                        now),
                    d));
          });
      return due;
    }

    /** The earliest time after {@code now} a backed-off demand may be asked for again. */
    OptionalLong nextRetry(long now) {
      return waitingByKey.values().stream()
          .mapToLong(Demand::notBeforeMillis)
          .filter(t -> t > now)
          .min();
    }

    /** Whether some demand is waiting that is not backing off. */
    boolean demandDue(long now) {
      return waitingByKey.entrySet().stream()
          .anyMatch(
              e -> !inFlightByKey.containsKey(e.getKey()) && e.getValue().notBeforeMillis() <= now);
    }

    /** What operators see; users the catalog has since given enough new items are left out. */
    PoolStatus status(
        String generator, CatalogSnapshot snapshot, int atRiskUnseen, long nowMillis) {
      Map<Integer, Integer> newer = new HashMap<>();
      List<PoolStatus.UserAtRisk> users = new ArrayList<>();
      for (AtRisk r : atRiskByUser.values()) {
        int now = r.unseenNow(snapshot, newer);
        if (now < atRiskUnseen) {
          users.add(new PoolStatus.UserAtRisk(r.userId(), r.unseen(), now, r.atMillis()));
        }
      }
      users.sort(
          Comparator.comparingInt(PoolStatus.UserAtRisk::unseenNow)
              .thenComparing(PoolStatus.UserAtRisk::userId));
      List<PoolStatus.Demand> demand = new ArrayList<>();
      waitingByKey.forEach(
          (key, d) ->
              demand.add(
                  new PoolStatus.Demand(
                      category(key),
                      d.wanted(),
                      d.urgent(),
                      d.users().size(),
                      d.attempt(),
                      d.notBeforeMillis())));
      List<PoolStatus.RequestRecord> flying =
          inFlightByKey.values().stream()
              .map(s -> new PoolStatus.RequestRecord(s.request(), "pending", null, List.of(), null))
              .toList();
      return new PoolStatus(
          generator,
          users.size(),
          List.copyOf(users.subList(0, Math.min(STATUS_PAGE, users.size()))),
          demand,
          flying,
          newestFirst(completedRequests),
          newestFirst(failedRequests),
          totalCounts);
    }

    private static List<PoolStatus.RequestRecord> keepLatest(
        List<PoolStatus.RequestRecord> list, PoolStatus.RequestRecord record, int keep) {
      List<PoolStatus.RequestRecord> out = new ArrayList<>(list);
      out.add(record);
      while (out.size() > Math.max(0, keep)) out.remove(0);
      return List.copyOf(out);
    }

    private static List<PoolStatus.RequestRecord> newestFirst(List<PoolStatus.RequestRecord> list) {
      List<PoolStatus.RequestRecord> out = new ArrayList<>(list);
      Collections.reverse(out);
      return out;
    }

    private static String reason(Demand demand, String key) {
      int users = demand.users().size();
      StringBuilder b = new StringBuilder();
      b.append(users).append(users == 1 ? " user" : " users").append(" crossed ");
      b.append(
          String.join(
              ", ", demand.thresholds().stream().map(t -> Math.round(t * 100) + " %").toList()));
      b.append(" coverage");
      if (!key.isEmpty()) b.append(" of category ").append(key);
      if (demand.attempt() > 1) b.append(" (attempt ").append(demand.attempt()).append(")");
      return b.toString();
    }
  }

  // ---- what is buffered between ticks --------------------------------------------------------

  /**
   * Signals and reports received since the last journal write, merged as they come: one demand per
   * category, the latest report per user. Mutable, owned by one coordinator incarnation.
   */
  static final class Pending {

    private static final class DemandBuilder {
      final String category;
      final Set<String> users = new LinkedHashSet<>();
      int wanted;
      boolean urgent;
      final TreeSet<Double> thresholds = new TreeSet<>();

      DemandBuilder(String category) {
        this.category = category;
      }

      Demand build() {
        return new Demand(
            category, List.copyOf(users), wanted, urgent, List.copyOf(thresholds), 1, 0L);
      }
    }

    private final LinkedHashMap<String, DemandBuilder> demand = new LinkedHashMap<>();
    private final LinkedHashMap<String, RiskChange> risk = new LinkedHashMap<>();
    private long signals;

    void add(PoolLowSignal s) {
      signals++;
      DemandBuilder d =
          demand.computeIfAbsent(key(s.category()), k -> new DemandBuilder(category(k)));
      if (d.users.size() < MAX_USERS_PER_DEMAND) d.users.add(s.userId());
      d.wanted = Math.max(d.wanted, s.wanted());
      d.urgent |= s.urgent();
      d.thresholds.add(s.threshold());
    }

    void report(RiskReport r) {
      risk.remove(r.userId());
      risk.put(
          r.userId(),
          new RiskChange(r.userId(), r.atRisk(), r.unseen(), r.denseIdBound(), r.atMillis()));
    }

    /**
     * Takes users off the at-risk list whom the catalog has given enough new items since their last
     * report (in {@code state} or buffered here).
     */
    void forgetRecovered(State state, CatalogSnapshot snapshot, int atRiskUnseen, long now) {
      Map<Integer, Integer> newer = new HashMap<>();
      List<String> recovered = new ArrayList<>();
      for (AtRisk r : state.atRiskByUser.values()) {
        if (!risk.containsKey(r.userId()) && r.unseenNow(snapshot, newer) >= atRiskUnseen)
          recovered.add(r.userId());
      }
      for (RiskChange c : risk.values()) {
        if (c.atRisk()
            && new AtRisk(c.userId(), c.unseen(), c.denseIdBound(), c.atMillis())
                    .unseenNow(snapshot, newer)
                >= atRiskUnseen) recovered.add(c.userId());
      }
      for (String user : recovered) risk.put(user, RiskChange.left(user, now));
    }

    boolean isEmpty() {
      return signals == 0 && risk.isEmpty() && demand.isEmpty();
    }

    /** Entries buffered: reports and signals. */
    long size() {
      return risk.size() + signals;
    }

    long signals() {
      return signals;
    }

    /** The buffer as one event, left as it is. */
    Recorded peek(long now) {
      return new Recorded(
          demand.values().stream().map(DemandBuilder::build).toList(),
          List.copyOf(risk.values()),
          signals,
          now);
    }

    /** The buffer as one event, emptied; none when empty. */
    Optional<Recorded> drain(long now) {
      if (isEmpty()) return Optional.empty();
      Recorded recorded = peek(now);
      demand.clear();
      risk.clear();
      signals = 0;
      return Optional.of(recorded);
    }
  }

  // ---- hostile input -------------------------------------------------------------------------

  /** Why a signal cannot be taken, or {@code null} when it can. */
  static String problem(PoolLowSignal s) {
    if (s == null) return "no signal";
    if (!validName(s.userId())) return "userId must have 1 to " + MAX_NAME + " characters";
    if (!(s.threshold() >= 0 && s.threshold() <= 1)) return "threshold must be in [0, 1]";
    if (s.wanted() < 1) return "wanted must be positive";
    if (s.category() != null && !validName(s.category()))
      return "category must have 1 to " + MAX_NAME + " characters";
    return null;
  }

  /** Why a report cannot be taken, or {@code null} when it can. */
  static String problem(RiskReport r) {
    if (!validName(r.userId())) return "userId must have 1 to " + MAX_NAME + " characters";
    if (r.unseen() < 0) return "unseen must not be negative";
    if (r.denseIdBound() < 0) return "denseIdBound must not be negative";
    return null;
  }

  private static boolean validName(String s) {
    return s != null && !s.isEmpty() && s.length() <= MAX_NAME;
  }

  // ---- the behaviour -------------------------------------------------------------------------

  /** Starts the singleton (or its proxy on nodes that do not host it) and returns the proxy. */
  public static ActorRef<Command> init(
      ActorSystem<?> system,
      PoolSettings settings,
      PoolGenerator generator,
      Catalog catalog,
      PoolMetrics metrics) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(create(settings, generator, catalog, metrics), "pool-coordinator")
                .withStopMessage(Stop.INSTANCE));
  }

  public static Behavior<Command> create(
      PoolSettings settings, PoolGenerator generator, Catalog catalog, PoolMetrics metrics) {
    return create(PERSISTENCE_ID, settings, generator, catalog, metrics);
  }

  /**
   * The coordinator on the journal of {@code persistenceId}. No input stops it: a failure restarts
   * it (with a back-off), and it recovers its bookkeeping from the journal.
   */
  static Behavior<Command> create(
      PersistenceId persistenceId,
      PoolSettings settings,
      PoolGenerator generator,
      Catalog catalog,
      PoolMetrics metrics) {
    return Behaviors.supervise(
            Behaviors.<Command>setup(
                ctx ->
                    Behaviors.withTimers(
                        timers ->
                            new PoolCoordinator(
                                persistenceId,
                                ctx,
                                timers,
                                settings,
                                generator,
                                catalog,
                                metrics))))
        .onFailure(backoff());
  }

  private static org.apache.pekko.actor.typed.BackoffSupervisorStrategy backoff() {
    return SupervisorStrategy.restartWithBackoff(
        Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
  }

  /** Timer keys: the aggregation window (opened by the first demand), the next retry, the tick. */
  private static final String WINDOW = "window", RETRY = "retry", TICK = "tick";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final PoolSettings settings;
  private final PoolGenerator generator;
  private final Catalog catalog;
  private final PoolMetrics metrics;
  private final Pending pending = new Pending();

  /** The catalog version users at risk were last checked against (-1: not yet). */
  private long checkedCatalog = -1;

  private PoolCoordinator(
      PersistenceId persistenceId,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      PoolSettings settings,
      PoolGenerator generator,
      Catalog catalog,
      PoolMetrics metrics) {
    // a failed journal write restarts the coordinator, which recovers what was written
    super(persistenceId, backoff());
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.generator = generator;
    this.catalog = catalog;
    this.metrics = metrics;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  /**
   * A snapshot every {@code freshet.pool.snapshot-every} events, the events before it deleted: at
   * most one event a tick while signals come, so recovery reads one snapshot (about 40 bytes per
   * user at risk) and fewer events than that.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    int keep = settings.keepFinished();
    return (state, event) -> state.apply(event, keep);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return (state, command) -> {
      if (command instanceof Signal c) return onSignal(state, c);
      if (command instanceof RiskReport c) return onRiskReport(state, c);
      if (command instanceof Finished c) return onFinished(state, c);
      if (command instanceof GetStatus c) return onGetStatus(state, c);
      if (command == Tick.INSTANCE) return journal(state, List.of(), s -> {}).thenNoReply();
      if (command == Flush.INSTANCE) return onFlush(state);
      if (command == Stop.INSTANCE) return onStop(state);
      return Effect().noReply();
    };
  }

  /**
   * A new incarnation (after a move, a restart or a start): every request the journal says is in
   * flight is asked for again, once; waiting demand gets a window or its retry.
   */
  private void onRecovered(State state) {
    long now = System.currentTimeMillis();
    publish(state);
    timers.startTimerWithFixedDelay(TICK, Tick.INSTANCE, settings.persistInterval());
    for (Started s : state.inFlight()) {
      ctx.getLog()
          .info(
              "Pool generation {}: asking the {} generator again after the coordinator moved ({})",
              s.request().id(),
              generator.name(),
              s.request().reason());
      ask(s.request());
    }
    if (state.demandDue(now)) openWindow();
    scheduleRetry(state, now);
  }

  private ReplyEffect<Event, State> onSignal(State state, Signal s) {
    String problem = problem(s.signal());
    if (problem != null) {
      ctx.getLog().warn("Pool coordinator ignores a malformed signal: {}", problem);
      return Effect().noReply();
    }
    pending.add(s.signal());
    metrics.signals.incrementAndGet();
    openWindow();
    return journalIfFull(state);
  }

  private ReplyEffect<Event, State> onRiskReport(State state, RiskReport r) {
    String problem = problem(r);
    if (problem != null) {
      ctx.getLog().warn("Pool coordinator ignores a malformed at-risk report: {}", problem);
      return Effect().noReply();
    }
    pending.report(r);
    return journalIfFull(state);
  }

  private ReplyEffect<Event, State> journalIfFull(State state) {
    if (pending.size() < MAX_BUFFERED) return Effect().noReply();
    return journal(state, List.of(), s -> {}).thenNoReply();
  }

  /** The window closed: the buffer, and one request per category with demand due. */
  private ReplyEffect<Event, State> onFlush(State state) {
    long now = System.currentTimeMillis();
    Optional<Recorded> recorded = drain(state, now);
    State withDemand = recorded.map(r -> state.withDemand(r.demand())).orElse(state);
    List<Started> due =
        withDemand.due(now, settings.maxRequestSize(), () -> UUID.randomUUID().toString());
    List<Event> events = new ArrayList<>();
    recorded.ifPresent(events::add);
    if (!due.isEmpty()) events.add(new RequestsStarted(due, now));
    if (events.isEmpty()) {
      scheduleRetry(state, now);
      return Effect().noReply();
    }
    return Effect()
        .persist(events)
        .thenRun(
            (State s) -> {
              publish(s);
              for (Started started : due) {
                GenerationRequest request = started.request();
                ctx.getLog()
                    .info(
                        "Pool generation {}: asking the {} generator for {} items ({})",
                        request.id(),
                        generator.name(),
                        request.count(),
                        request.reason());
                ask(request);
              }
              scheduleRetry(s, now);
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onFinished(State state, Finished f) {
    GenerationRequest request = f.request();
    if (state.inFlight(request.id()).isEmpty()) {
      // a result for a request already settled: asked again by a new incarnation, or after a
      // restart, and the other answer came first
      ctx.getLog().info("Pool generation {}: a later result ignored", request.id());
      return Effect().noReply();
    }
    long now = System.currentTimeMillis();
    Event outcome;
    if (f.failure() == null) {
      List<String> ids = f.items() == null ? List.of() : f.items().stream().map(Item::id).toList();
      outcome = new RequestCompleted(request.id(), ids, now);
    } else {
      outcome =
          new RequestFailed(
              request.id(),
              reason(f.failure()),
              now + settings.retryBackoff(request.attempt() + 1).toMillis(),
              now);
    }
    return journal(
            state,
            List.of(outcome),
            s -> {
              if (outcome instanceof RequestCompleted c) {
                ctx.getLog()
                    .info(
                        "Pool generation {} completed: {} new items",
                        request.id(),
                        c.itemIds().size());
                // demand that arrived meanwhile and wanted more than was made
                if (s.waitingFor(request.category()).isPresent()) openWindow();
              } else if (outcome instanceof RequestFailed r) {
                ctx.getLog()
                    .warn(
                        "Pool generation {} failed (attempt {}): {}",
                        request.id(),
                        request.attempt(),
                        r.reason());
              }
              scheduleRetry(s, now);
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onGetStatus(State state, GetStatus g) {
    long now = System.currentTimeMillis();
    State view =
        pending.isEmpty() ? state : state.apply(pending.peek(now), settings.keepFinished());
    return Effect()
        .reply(
            g.replyTo(),
            view.status(generator.name(), catalog.snapshot(), settings.atRiskUnseen(), now));
  }

  /** Handing over: what is buffered goes to the journal before the coordinator stops. */
  private ReplyEffect<Event, State> onStop(State state) {
    Optional<Recorded> recorded = pending.drain(System.currentTimeMillis());
    if (recorded.isEmpty()) return Effect().stop().thenNoReply();
    return Effect().persist(recorded.get()).thenStop().thenNoReply();
  }

  /**
   * Journals the buffer (if anything is buffered, or the catalog brought users out of risk) and
   * {@code then} events in one write, then runs {@code after}; nothing when there is nothing.
   */
  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> journal(
      State state, List<Event> then, org.apache.pekko.japi.function.Procedure<State> after) {
    List<Event> events = new ArrayList<>();
    drain(state, System.currentTimeMillis()).ifPresent(events::add);
    events.addAll(then);
    if (events.isEmpty()) return Effect().none();
    return Effect()
        .persist(events)
        .thenRun(
            (State s) -> {
              publish(s);
              after.apply(s);
            });
  }

  /** The buffer as an event, with the users a changed catalog brought out of risk. */
  private Optional<Recorded> drain(State state, long now) {
    CatalogSnapshot snapshot = catalog.snapshot();
    if (snapshot.version() != checkedCatalog) {
      pending.forgetRecovered(state, snapshot, settings.atRiskUnseen(), now);
      checkedCatalog = snapshot.version();
    }
    return pending.drain(now);
  }

  /** Asks the generator; its answer (or failure, however it fails) comes back as a message. */
  private void ask(GenerationRequest request) {
    CompletionStage<List<Item>> result;
    try {
      result =
          Objects.requireNonNull(generator.generate(request), "the generator returned nothing")
              .thenCompose(catalog::upsert);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(result, (items, failure) -> new Finished(request, items, failure));
  }

  /** Refreshes the figures operators scrape from the bookkeeping as journaled. */
  private void publish(State state) {
    PoolStatus.Totals t = state.totals();
    metrics.publish(
        new PoolStatus.Totals(
            t.signals() + pending.signals(),
            t.requests(),
            t.completed(),
            t.failed(),
            t.itemsGenerated()),
        state.atRiskByUser.size(),
        state.waitingByKey.size(),
        state.inFlightByKey.size());
  }

  /** Signals gathered from now on are asked for together when the window closes. */
  private void openWindow() {
    if (!timers.isTimerActive(WINDOW))
      timers.startSingleTimer(WINDOW, Flush.INSTANCE, settings.window());
  }

  /** A flush when the earliest backed-off demand may be asked for again. */
  private void scheduleRetry(State state, long now) {
    state
        .nextRetry(now)
        .ifPresent(t -> timers.startSingleTimer(RETRY, Flush.INSTANCE, Duration.ofMillis(t - now)));
  }

  /** The generator's own words where it gave some, without the future machinery's wrapping. */
  private static String reason(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null)
      cause = cause.getCause();
    String reason =
        Optional.ofNullable(cause.getMessage()).orElse(cause.getClass().getSimpleName());
    return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "…";
  }

  private static String key(String category) {
    return Objects.requireNonNullElse(category, "");
  }

  private static String category(String key) {
    return key.isEmpty() ? null : key;
  }
}
