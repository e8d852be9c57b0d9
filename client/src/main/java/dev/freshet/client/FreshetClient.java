package dev.freshet.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.freshet.actors.features.Persona;
import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.user.BatchIds;
import dev.freshet.actors.user.Erasure;
import dev.freshet.actors.user.UserEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;

/**
 * A JVM service's handle on Freshet's user entities: it starts an ActorSystem named like the
 * serving nodes' ({@code freshet}) that joins their cluster as a member of role {@code proxy}, and
 * runs Cluster Sharding for {@link UserEntity#TYPE_KEY} with the entity role {@code serve}, which
 * it lacks: a sharding proxy, which routes every command to the user's one entity on a serving node
 * and hosts none itself. Every method answers a {@link CompletionStage} that fails with {@link
 * FreshetClientException.Refused} when the entity refuses the command and {@link
 * FreshetClientException.Timeout} when no answer comes within the ask timeout.
 *
 * <pre>{@code
 * try (FreshetClient freshet =
 *     FreshetClient.builder()
 *         .seedNodes("pekko://freshet@10.0.0.5:7355")
 *         .hostname("10.0.0.9") // an address of this host the nodes can reach
 *         .port(7355)
 *         .start()) {
 *   freshet.recordImpressions("alice", List.of("article-1", "article-2")).toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>What the client does not do that the HTTP edge does: events it records do not feed the
 * cluster's popularity board, and rankings it asks for are not written to {@code ranking_events}.
 */
public final class FreshetClient implements AutoCloseable {

  /** The cluster role of members started by this client. */
  public static final String ROLE = "proxy";

  /** The role of the members that host user entities. */
  public static final String ENTITY_ROLE = "serve";

  private final ActorSystem<Void> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final CompletableFuture<Done> up = new CompletableFuture<>();

  private FreshetClient(ActorSystem<Void> system, Duration askTimeout) {
    this.system = system;
    this.askTimeout = askTimeout;
    this.sharding = ClusterSharding.get(system);
    sharding.init(
        Entity.of(UserEntity.TYPE_KEY, ctx -> noEntityHere(ctx.getEntityId()))
            .withRole(ENTITY_ROLE));
    org.apache.pekko.cluster.Cluster cluster =
        org.apache.pekko.cluster.Cluster.get(system.classicSystem());
    cluster.registerOnMemberUp(() -> up.complete(Done.getInstance()));
    cluster.registerOnMemberRemoved(
        () -> up.completeExceptionally(new IllegalStateException("left the cluster")));
  }

  /**
   * Sharding never starts an entity on a member without the entity's role; should it ever, the
   * entity fails at once rather than keep a user's state on a proxy.
   */
  private static Behavior<UserEntity.Command> noEntityHere(String userId) {
    return Behaviors.setup(
        ctx -> {
          throw new IllegalStateException(
              "user " + userId + ": a " + ROLE + " member hosts no user entities");
        });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Completes once this member is Up in the cluster (commands sent before wait for it). */
  public CompletionStage<Done> up() {
    return up;
  }

  /** The ActorSystem of this member (its address, cluster state, scheduler). */
  public ActorSystem<Void> system() {
    return system;
  }

  // ---- commands --------------------------------------------------------------------------------

  /**
   * Records that the user was shown these items (catalog ids) now; the reply tells first-time
   * impressions from repeats. An item not in the catalog refuses the whole batch.
   */
  public CompletionStage<UserEntity.ImpressionsResult> recordImpressions(
      String userId, List<String> itemIds) {
    return recordImpressions(userId, itemIds, null, null, null, System.currentTimeMillis());
  }

  /**
   * {@link #recordImpressions(String, List)} with where and in which ranking they were shown
   * ({@code positions}, {@code surface} and {@code rankingId} may be {@code null}).
   */
  public CompletionStage<UserEntity.ImpressionsResult> recordImpressions(
      String userId,
      List<String> itemIds,
      List<Integer> positions,
      String surface,
      String rankingId,
      long atMillis) {
    return recordImpressions(userId, itemIds, positions, surface, rankingId, atMillis, null);
  }

  /**
   * As above, safe to send again: {@code batchKey} (any text unique to this batch, or {@code null})
   * names the batch, and a batch sent again under the same key after a timeout, when its first
   * write may have landed, is recorded once. The user's entity remembers its last 16 such keys and
   * answers a repeat as the first time, with {@code resent} set.
   */
  public CompletionStage<UserEntity.ImpressionsResult> recordImpressions(
      String userId,
      List<String> itemIds,
      List<Integer> positions,
      String surface,
      String rankingId,
      long atMillis,
      String batchKey) {
    long batch = batchId(batchKey);
    return ask(
        userId,
        r ->
            new UserEntity.RecordItemImpressions(
                itemIds, positions, surface, rankingId, atMillis, batch, r));
  }

  /** Records the user's events (clicks, likes, dwell…) in one journal write. */
  public CompletionStage<UserEntity.EventsResult> recordEvents(
      String userId, List<UserEntity.ItemEvent> events) {
    return recordEvents(userId, events, null);
  }

  /**
   * As {@link #recordEvents(String, List)}, safe to send again under the same {@code batchKey} (see
   * {@link #recordImpressions(String, List, List, String, String, long, String)}).
   */
  public CompletionStage<UserEntity.EventsResult> recordEvents(
      String userId, List<UserEntity.ItemEvent> events, String batchKey) {
    long batch = batchId(batchKey);
    return ask(userId, r -> new UserEntity.RecordItemEvents(events, batch, r));
  }

  /** A batch key's id; the client's own, so that it never meets a key of the HTTP edge. */
  private static long batchId(String batchKey) {
    return batchKey == null ? 0L : BatchIds.of("client\n" + batchKey);
  }

  /** Sets the user's cold-start persona. */
  public CompletionStage<Done> setPersona(String userId, Persona persona) {
    return ask(userId, r -> new UserEntity.SetPersona(persona, r));
  }

  /** Gives or withdraws the user's consent; withdrawing drops what was observed of the user. */
  public CompletionStage<UserEntity.ConsentView> setConsent(String userId, boolean consent) {
    return ask(userId, r -> new UserEntity.SetConsent(consent, System.currentTimeMillis(), r));
  }

  /**
   * Pushes a user vector an outside model computed ({@code freshet.catalog.embedding-dimension}
   * finite numbers, in the item embedding space); {@code source} names the model or is {@code
   * null}. Not stored without the user's consent ({@code stored} false).
   */
  public CompletionStage<UserEntity.PushResult> pushFeatures(
      String userId, float[] vector, String source) {
    return ask(
        userId, r -> new UserEntity.PushFeatures(vector, source, System.currentTimeMillis(), r));
  }

  /** Ranks the catalog for the user. */
  public CompletionStage<UserEntity.RankingResult> recommend(
      String userId, RankingRequest request) {
    return ask(userId, r -> new UserEntity.Recommend(request, r));
  }

  /** The user's live figures and features, as {@code GET /v1/users/{id}/state} shows them. */
  public CompletionStage<UserEntity.UserStateView> state(String userId) {
    return ask(userId, UserEntity.GetState::new);
  }

  /**
   * Erases the user everywhere, as {@code DELETE /v1/users/{id}} does: through the erasure service
   * of a serving node ({@link Erasure#KEY}, found with the cluster's receptionist), the entity
   * forgets and the journal and read-model rows are deleted. Fails with {@link
   * FreshetClientException.Timeout} when no serving node offers the service within the ask timeout.
   */
  public CompletionStage<Erasure.Erased> forget(String userId) {
    long deadline = System.nanoTime() + askTimeout.toNanos();
    return erasureService(deadline)
        .thenCompose(
            service ->
                AskPattern.<Erasure.Erase, StatusReply<Erasure.Erased>>ask(
                        service, r -> new Erasure.Erase(userId, r), askTimeout, system.scheduler())
                    .thenCompose(
                        reply ->
                            reply.isSuccess()
                                ? CompletableFuture.completedFuture(reply.getValue())
                                : CompletableFuture.<Erasure.Erased>failedFuture(reply.getError())))
        .handle(
            (value, failure) ->
                failure == null
                    ? CompletableFuture.completedFuture(value)
                    : CompletableFuture.<Erasure.Erased>failedFuture(translate(userId, failure)))
        .thenCompose(Function.identity());
  }

  /** How often a member that has just joined asks again for the serving nodes' erasure service. */
  private static final Duration ERASURE_LOOKUP_RETRY = Duration.ofMillis(200);

  /**
   * A serving node's erasure service, asked of the receptionist until {@code deadline}: a member
   * that has just joined sees the other members' services only once the receptionist's state
   * reached it.
   */
  private CompletionStage<ActorRef<Erasure.Erase>> erasureService(long deadline) {
    return AskPattern.ask(
            system.receptionist(),
            (ActorRef<Receptionist.Listing> r) -> Receptionist.find(Erasure.KEY, r),
            askTimeout,
            system.scheduler())
        .thenCompose(
            found -> {
              List<ActorRef<Erasure.Erase>> services =
                  new ArrayList<>(found.getServiceInstances(Erasure.KEY));
              if (!services.isEmpty()) {
                return CompletableFuture.completedFuture(
                    services.get(ThreadLocalRandom.current().nextInt(services.size())));
              }
              if (System.nanoTime() + ERASURE_LOOKUP_RETRY.toNanos() > deadline) {
                return CompletableFuture.<ActorRef<Erasure.Erase>>failedFuture(
                    new java.util.concurrent.TimeoutException(
                        "no serving node offers erasure yet"));
              }
              CompletableFuture<ActorRef<Erasure.Erase>> later = new CompletableFuture<>();
              system
                  .scheduler()
                  .scheduleOnce(
                      ERASURE_LOOKUP_RETRY,
                      () ->
                          erasureService(deadline)
                              .whenComplete(
                                  (service, failure) -> {
                                    if (failure != null) later.completeExceptionally(failure);
                                    else later.complete(service);
                                  }),
                      system.executionContext());
              return later;
            });
  }

  /**
   * Any command of the user entity's protocol, answered within the ask timeout; a refusal fails the
   * stage with {@link FreshetClientException.Refused}.
   */
  public <T> CompletionStage<T> ask(
      String userId, Function<ActorRef<StatusReply<T>>, UserEntity.Command> command) {
    CompletionStage<T> reply =
        sharding
            .entityRefFor(UserEntity.TYPE_KEY, userId)
            .askWithStatus(command::apply, askTimeout);
    return reply
        .handle(
            (value, failure) -> {
              if (failure == null) return CompletableFuture.completedFuture(value);
              return CompletableFuture.<T>failedFuture(translate(userId, failure));
            })
        .thenCompose(Function.identity());
  }

  private Throwable translate(String userId, Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    if (cause instanceof StatusReply.ErrorMessage)
      return new FreshetClientException.Refused(cause.getMessage(), cause);
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof org.apache.pekko.pattern.AskTimeoutException)
      return new FreshetClientException.Timeout(
          "no answer from user " + userId + "'s entity within " + askTimeout, cause);
    return cause;
  }

  /** Leaves the cluster and stops this member's ActorSystem. */
  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  // ---- building --------------------------------------------------------------------------------

  /** How to join: seed nodes, this member's address, the ask timeout, further configuration. */
  public static final class Builder {
    private final List<String> seedNodes = new ArrayList<>();
    private String hostname;
    private Integer port;
    private Duration askTimeout;
    private String systemName;
    private Config config = ConfigFactory.load();

    private Builder() {}

    /**
     * The serving nodes to join through, as Pekko addresses ({@code pekko://freshet@host:7355}); at
     * least one. Their system name must be this client's ({@code freshet}).
     */
    public Builder seedNodes(String... addresses) {
      for (String a : addresses) {
        org.apache.pekko.actor.Address address;
        try {
          address = AddressFromURIString.parse(a);
        } catch (Exception e) { // Scala throws a checked MalformedURLException
          throw new IllegalArgumentException(
              a + " is no Pekko address (pekko://freshet@host:port)");
        }
        if (address.host().isEmpty() || address.port().isEmpty())
          throw new IllegalArgumentException(a + " needs a host and a port");
        seedNodes.add(a);
      }
      return this;
    }

    /** The host name or IP the nodes reach this member at (default 127.0.0.1). */
    public Builder hostname(String hostname) {
      this.hostname = hostname;
      return this;
    }

    /** This member's Artery port (default 0: any free port). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** How long each command waits for its reply (default {@code freshet.client.ask-timeout}). */
    public Builder askTimeout(Duration askTimeout) {
      if (askTimeout.isNegative() || askTimeout.isZero())
        throw new IllegalArgumentException("askTimeout must be positive");
      this.askTimeout = askTimeout;
      return this;
    }

    /** The cluster's ActorSystem name (default {@code freshet}). */
    public Builder systemName(String systemName) {
      this.systemName = systemName;
      return this;
    }

    /**
     * The configuration to start from (default {@code ConfigFactory.load()}); its {@code
     * freshet.client.pekko} goes over its {@code pekko}.
     */
    public Builder config(Config config) {
      this.config = config;
      return this;
    }

    /** Starts the member; it joins the seed nodes in the background ({@link #up()}). */
    public FreshetClient start() {
      Config resolved = config.withFallback(ConfigFactory.defaultReference()).resolve();
      Config client = resolved.getConfig("freshet.client");
      String name = systemName != null ? systemName : client.getString("system-name");
      Duration timeout = askTimeout != null ? askTimeout : client.getDuration("ask-timeout");
      List<String> seeds =
          !seedNodes.isEmpty() ? seedNodes : client.getStringList("pekko.cluster.seed-nodes");
      if (seeds.isEmpty())
        throw new IllegalArgumentException(
            "give the serving nodes' addresses as seed nodes (pekko://" + name + "@host:port)");
      for (String seed : seeds) {
        String system = AddressFromURIString.parse(seed).system();
        if (!system.equals(name))
          throw new IllegalArgumentException(
              "seed node " + seed + " is of system " + system + ", not " + name);
      }
      Map<String, Object> overrides = new HashMap<>();
      overrides.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
      if (hostname != null) overrides.put("pekko.remote.artery.canonical.hostname", hostname);
      if (port != null) overrides.put("pekko.remote.artery.canonical.port", port);
      Config system =
          ConfigFactory.parseMap(overrides)
              .withFallback(client.getConfig("pekko").atKey("pekko"))
              .withFallback(resolved);
      if (!system.getStringList("pekko.cluster.roles").contains(ROLE))
        throw new IllegalArgumentException("pekko.cluster.roles must hold " + ROLE);
      if (system.getStringList("pekko.cluster.roles").contains(ENTITY_ROLE))
        throw new IllegalArgumentException(
            "a client member must not have role " + ENTITY_ROLE + ": it would host user entities");
      return new FreshetClient(ActorSystem.create(Behaviors.empty(), name, system), timeout);
    }
  }
}
