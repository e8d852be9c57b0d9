package dev.freshet.actors.pool;

import dev.freshet.actors.CborSerializable;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * One per cluster (a Cluster Singleton): collects users' pool-low signals over a short window,
 * turns the demand of many users into one sized request per category (or one for any category),
 * asks the {@link PoolGenerator} for items and puts them into the catalog like {@code POST
 * /v1/items} does. A category never has two requests in flight; demand arriving meanwhile waits,
 * and is dropped when the finished request already asked for as much. A failed request is recorded
 * with its reason and its demand is asked for again after a back-off, so no demand is lost to a
 * failing generator.
 *
 * <p>Its bookkeeping lives in memory: when the singleton moves to another node, waiting demand and
 * the request history start afresh there (users who cross a threshold later signal again).
 */
public final class PoolCoordinator {

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

  private enum Flush implements Command {
    INSTANCE
  }

  private record Finished(GenerationRequest request, List<Item> items, Throwable failure)
      implements Command {}

  /** Starts the singleton (or its proxy on nodes that do not host it) and returns the proxy. */
  public static ActorRef<Command> init(
      ActorSystem<?> system,
      PoolSettings settings,
      PoolGenerator generator,
      Catalog catalog,
      PoolMetrics metrics) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                Behaviors.supervise(create(settings, generator, catalog, metrics))
                    .onFailure(SupervisorStrategy.restart()),
                "pool-coordinator"));
  }

  public static Behavior<Command> create(
      PoolSettings settings, PoolGenerator generator, Catalog catalog, PoolMetrics metrics) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new PoolCoordinator(ctx, timers, settings, generator, catalog, metrics)
                        .behavior()));
  }

  /** Users at risk the coordinator keeps track of; beyond this the oldest reports are forgotten. */
  private static final int MAX_AT_RISK = 100_000;

  private static final int STATUS_PAGE = 100;

  /** Demand of one category key ("" = any category) not yet asked for. */
  private static final class Demand {
    final Set<String> users = new HashSet<>();
    int wanted;
    boolean urgent;
    final Set<Double> thresholds = new TreeSet<>();
    int attempt = 1;
    long notBefore;

    void add(PoolLowSignal s) {
      users.add(s.userId());
      wanted = Math.max(wanted, s.wanted());
      urgent |= s.urgent();
      thresholds.add(s.threshold());
    }

    void merge(Demand other) {
      users.addAll(other.users);
      wanted = Math.max(wanted, other.wanted);
      urgent |= other.urgent;
      thresholds.addAll(other.thresholds);
      attempt = Math.max(attempt, other.attempt);
      notBefore = Math.max(notBefore, other.notBefore);
    }
  }

  private record AtRisk(int unseen, int denseIdBound, long atMillis) {}

  /** Timer keys: the aggregation window (opened by the first demand) and the next retry. */
  private static final String WINDOW = "window", RETRY = "retry";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final PoolSettings settings;
  private final PoolGenerator generator;
  private final Catalog catalog;
  private final Map<String, Demand> waiting = new LinkedHashMap<>();
  private final Map<String, GenerationRequest> inFlight = new LinkedHashMap<>();

  /** The demand each in-flight request (by id) stands for, to be asked for again if it fails. */
  private final Map<String, Demand> pendingDemand = new HashMap<>();

  private final LinkedHashMap<String, AtRisk> atRisk = new LinkedHashMap<>();
  private final Deque<PoolStatus.RequestRecord> completed = new ArrayDeque<>();
  private final Deque<PoolStatus.RequestRecord> failed = new ArrayDeque<>();
  private final PoolMetrics metrics;

  private PoolCoordinator(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      PoolSettings settings,
      PoolGenerator generator,
      Catalog catalog,
      PoolMetrics metrics) {
    this.ctx = ctx;
    this.metrics = metrics;
    this.timers = timers;
    this.settings = settings;
    this.generator = generator;
    this.catalog = catalog;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Signal.class, m -> publish(onSignal(m)))
        .onMessage(RiskReport.class, m -> publish(onRiskReport(m)))
        .onMessage(Flush.class, f -> publish(onFlush()))
        .onMessage(Finished.class, m -> publish(onFinished(m)))
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  /** Refreshes the gauges operators scrape after a message changed the bookkeeping. */
  private Behavior<Command> publish(Behavior<Command> next) {
    metrics.usersAtRisk = atRisk.size();
    metrics.demandWaiting = waiting.size();
    metrics.requestsInFlight = inFlight.size();
    return next;
  }

  private Behavior<Command> onSignal(Signal s) {
    metrics.signals.incrementAndGet();
    waiting.computeIfAbsent(key(s.signal().category()), k -> new Demand()).add(s.signal());
    openWindow();
    return Behaviors.same();
  }

  private Behavior<Command> onRiskReport(RiskReport r) {
    atRisk.remove(r.userId());
    if (r.atRisk()) {
      atRisk.put(r.userId(), new AtRisk(r.unseen(), r.denseIdBound(), r.atMillis()));
      if (atRisk.size() > MAX_AT_RISK) atRisk.remove(atRisk.keySet().iterator().next());
    }
    return Behaviors.same();
  }

  /**
   * The window closed: one request per category key with demand, unless one is in flight or backing
   * off.
   */
  private Behavior<Command> onFlush() {
    long now = System.currentTimeMillis();
    forgetRecoveredUsers(catalog.snapshot());
    for (var it = waiting.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      Demand demand = entry.getValue();
      if (inFlight.containsKey(entry.getKey()) || demand.notBefore > now) continue;
      it.remove();
      GenerationRequest request =
          new GenerationRequest(
              UUID.randomUUID().toString(),
              category(entry.getKey()),
              Math.min(settings.maxRequestSize(), demand.wanted),
              demand.urgent,
              demand.users.size(),
              reason(demand, entry.getKey()),
              demand.attempt,
              now);
      inFlight.put(entry.getKey(), request);
      metrics.requests.incrementAndGet();
      ctx.getLog()
          .info(
              "Pool generation {}: asking the {} generator for {} items ({})",
              request.id(),
              generator.name(),
              request.count(),
              request.reason());
      ctx.pipeToSelf(
          generator.generate(request).thenCompose(catalog::upsert),
          (items, failure) -> new Finished(request, items, failure));
      pendingDemand.put(request.id(), demand);
    }
    scheduleRetry(now);
    return Behaviors.same();
  }

  private Behavior<Command> onFinished(Finished f) {
    GenerationRequest request = f.request();
    String key = key(request.category());
    inFlight.remove(key);
    Demand demand = pendingDemand.remove(request.id());
    long now = System.currentTimeMillis();
    if (f.failure() == null) {
      metrics.completed.incrementAndGet();
      metrics.itemsGenerated.addAndGet(f.items().size());
      List<String> ids = f.items().stream().map(Item::id).toList();
      remember(completed, new PoolStatus.RequestRecord(request, "completed", now, ids, null));
      ctx.getLog().info("Pool generation {} completed: {} new items", request.id(), ids.size());
      // demand that arrived meanwhile and wanted no more than was just made is met
      Demand meanwhile = waiting.get(key);
      if (meanwhile != null && meanwhile.wanted <= request.count()) waiting.remove(key);
      else if (meanwhile != null) openWindow();
      forgetRecoveredUsers(catalog.snapshot());
    } else {
      metrics.failed.incrementAndGet();
      String reason = reason(f.failure());
      remember(failed, new PoolStatus.RequestRecord(request, "failed", now, List.of(), reason));
      ctx.getLog()
          .warn(
              "Pool generation {} failed (attempt {}): {}",
              request.id(),
              request.attempt(),
              reason);
      if (demand != null) {
        demand.attempt = request.attempt() + 1;
        demand.notBefore = now + settings.retryBackoff(demand.attempt).toMillis();
        Demand meanwhile = waiting.remove(key);
        if (meanwhile != null) demand.merge(meanwhile);
        waiting.put(key, demand);
        scheduleRetry(now);
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    CatalogSnapshot snapshot = catalog.snapshot();
    forgetRecoveredUsers(snapshot);
    List<PoolStatus.UserAtRisk> users = new ArrayList<>();
    atRisk.forEach(
        (user, r) ->
            users.add(
                new PoolStatus.UserAtRisk(user, r.unseen(), unseenNow(r, snapshot), r.atMillis())));
    users.sort(
        Comparator.comparingInt(PoolStatus.UserAtRisk::unseenNow)
            .thenComparing(PoolStatus.UserAtRisk::userId));
    List<PoolStatus.Demand> demand = new ArrayList<>();
    waiting.forEach(
        (key, d) ->
            demand.add(
                new PoolStatus.Demand(
                    category(key), d.wanted, d.urgent, d.users.size(), d.attempt, d.notBefore)));
    List<PoolStatus.RequestRecord> flying =
        inFlight.values().stream()
            .map(r -> new PoolStatus.RequestRecord(r, "pending", null, List.of(), null))
            .toList();
    g.replyTo()
        .tell(
            new PoolStatus(
                generator.name(),
                users.size(),
                List.copyOf(users.subList(0, Math.min(STATUS_PAGE, users.size()))),
                demand,
                flying,
                newestFirst(completed),
                newestFirst(failed),
                metrics.totals()));
    return Behaviors.same();
  }

  /** Signals gathered from now on are asked for together when the window closes. */
  private void openWindow() {
    if (!timers.isTimerActive(WINDOW))
      timers.startSingleTimer(WINDOW, Flush.INSTANCE, settings.window());
  }

  /** A flush when the earliest backed-off demand may be asked for again. */
  private void scheduleRetry(long now) {
    waiting.values().stream()
        .mapToLong(d -> d.notBefore)
        .filter(t -> t > now)
        .min()
        .ifPresent(t -> timers.startSingleTimer(RETRY, Flush.INSTANCE, Duration.ofMillis(t - now)));
  }

  /** Items created after a user's report are unseen by that user: count them in. */
  private static int unseenNow(AtRisk r, CatalogSnapshot snapshot) {
    return r.unseen()
        + (int) snapshot.activeBitmap().rangeCardinality(r.denseIdBound(), Integer.MAX_VALUE);
  }

  private void forgetRecoveredUsers(CatalogSnapshot snapshot) {
    atRisk.values().removeIf(r -> unseenNow(r, snapshot) >= settings.atRiskUnseen());
  }

  private void remember(Deque<PoolStatus.RequestRecord> list, PoolStatus.RequestRecord record) {
    list.addLast(record);
    while (list.size() > settings.keepFinished()) list.removeFirst();
  }

  private static List<PoolStatus.RequestRecord> newestFirst(Deque<PoolStatus.RequestRecord> list) {
    List<PoolStatus.RequestRecord> out = new ArrayList<>(list);
    Collections.reverse(out);
    return out;
  }

  private static String reason(Demand demand, String key) {
    StringBuilder b = new StringBuilder();
    b.append(demand.users.size())
        .append(demand.users.size() == 1 ? " user" : " users")
        .append(" crossed ");
    b.append(
        String.join(
            ", ", demand.thresholds.stream().map(t -> Math.round(t * 100) + " %").toList()));
    b.append(" coverage");
    if (!key.isEmpty()) b.append(" of category ").append(key);
    if (demand.attempt > 1) b.append(" (attempt ").append(demand.attempt).append(")");
    return b.toString();
  }

  /** The generator's own words where it gave some, without the future machinery's wrapping. */
  private static String reason(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null)
      cause = cause.getCause();
    return Optional.ofNullable(cause.getMessage()).orElse(cause.getClass().getSimpleName());
  }

  private static String key(String category) {
    return Objects.requireNonNullElse(category, "");
  }

  private static String category(String key) {
    return key.isEmpty() ? null : key;
  }
}
