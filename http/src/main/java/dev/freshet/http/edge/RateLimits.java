package dev.freshet.http.edge;

import com.typesafe.config.Config;
import dev.freshet.actors.CborSerializable;
import dev.freshet.http.api.ApiException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Rate-limit tiers (SPEC C10) as Bucket4j token buckets: anonymous callers per client IP, ingest
 * per user, rank and admin per key. Each limit refills greedily over a minute, so a client over its
 * limit is told the seconds until its next token.
 *
 * <p>Across nodes: every node keeps its own buckets, and every {@code sync-interval} it publishes
 * what it consumed per bucket on a cluster pub-sub topic; the other nodes take the same tokens out
 * of their buckets. A limit therefore holds for the whole cluster, overshooting by at most what
 * clients manage to send in one sync interval, with no remote call on the request path.
 */
public final class RateLimits {

  /** A limit: its name and how many requests a minute it allows one subject. */
  enum Tier {
    ANONYMOUS,
    INGEST,
    RANK,
    ADMIN
  }

  public record Settings(boolean enabled, Map<Tier, Long> perMinute, Duration syncInterval) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.limits");
      return new Settings(
          c.getBoolean("enabled"),
          Map.of(
              Tier.ANONYMOUS, c.getLong("anonymous-per-minute"),
              Tier.INGEST, c.getLong("ingest-batches-per-user-per-minute"),
              Tier.RANK, c.getLong("rank-per-key-per-minute"),
              Tier.ADMIN, c.getLong("admin-per-key-per-minute")),
          c.getDuration("sync-interval"));
    }
  }

  /** Tokens one node consumed per bucket since its last report. */
  public record Consumed(String node, Map<String, Long> tokens) implements Sync, CborSerializable {}

  interface Sync {}

  private enum Tick implements Sync {
    INSTANCE
  }

  private static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(2);

  private final Settings settings;
  private final Map<Tier, Bandwidth> bandwidths = new HashMap<>();
  private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();

  /** What this node consumed since the last report, per bucket. */
  private final ConcurrentHashMap<String, AtomicLong> unreported = new ConcurrentHashMap<>();

  private static final class Entry {
    final Bucket bucket;
    volatile long lastUsed = System.nanoTime();

    Entry(Bucket bucket) {
      this.bucket = bucket;
    }
  }

  private RateLimits(Settings settings) {
    this.settings = settings;
    settings
        .perMinute()
        .forEach(
            (tier, n) ->
                bandwidths.put(
                    tier,
                    Bandwidth.builder()
                        .capacity(n)
                        .refillGreedy(n, Duration.ofMinutes(1))
                        .build()));
  }

  /** Limits on this node, synchronised with the other nodes of {@code system}'s cluster. */
  public static RateLimits start(ActorSystem<?> system, Settings settings) {
    RateLimits limits = new RateLimits(settings);
    if (settings.enabled()) {
      String node = Cluster.get(system).selfMember().address().toString();
      system.systemActorOf(limits.sync(node), "rate-limit-sync", Props.empty());
    }
    return limits;
  }

  /** Limits for one JVM with no cluster (tests of the buckets themselves). */
  static RateLimits local(Settings settings) {
    return new RateLimits(settings);
  }

  /**
   * Takes one token of {@code tier} for {@code subject}, or throws a 429 with the seconds until the
   * next token.
   */
  void admit(Tier tier, String subject) {
    if (!settings.enabled()) return;
    String key = key(tier, subject);
    ConsumptionProbe probe = entry(tier, key).bucket.tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      throw ApiException.rateLimited(
          "rate limit of "
              + settings.perMinute().get(tier)
              + " requests a minute reached ("
              + tier.name().toLowerCase()
              + ")",
          seconds(probe.getNanosToWaitForRefill()));
    }
    unreported.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  /**
   * Takes one ingest batch from each of {@code userIds}, or none at all (a 429) if any of them is
   * over its limit, so that a refused batch costs no user a token.
   */
  public void admitIngest(List<String> userIds) {
    if (!settings.enabled()) return;
    if (userIds.size() == 1) {
      admit(Tier.INGEST, userIds.get(0));
      return;
    }
    for (String userId : userIds) {
      EstimationProbe probe =
          entry(Tier.INGEST, key(Tier.INGEST, userId)).bucket.estimateAbilityToConsume(1);
      if (!probe.canBeConsumed()) {
        throw ApiException.rateLimited(
            "user "
                + userId
                + " is over "
                + settings.perMinute().get(Tier.INGEST)
                + " ingest batches a minute",
            seconds(probe.getNanosToWaitForRefill()));
      }
    }
    for (String userId : userIds) {
      String key = key(Tier.INGEST, userId);
      entry(Tier.INGEST, key).bucket.consumeIgnoringRateLimits(1);
      unreported.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
  }

  private Entry entry(Tier tier, String key) {
    Entry e =
        buckets.computeIfAbsent(
            key, k -> new Entry(Bucket.builder().addLimit(bandwidths.get(tier)).build()));
    e.lastUsed = System.nanoTime();
    return e;
  }

  private static String key(Tier tier, String subject) {
    return tier.ordinal() + ":" + subject;
  }

  private static Tier tierOf(String key) {
    return Tier.values()[key.charAt(0) - '0'];
  }

  private static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  /** Another node's consumption, taken out of this node's buckets. */
  void apply(Consumed consumed) {
    consumed
        .tokens()
        .forEach((key, n) -> entry(tierOf(key), key).bucket.consumeIgnoringRateLimits(n));
  }

  /** This node's consumption since the last call, reset. */
  Map<String, Long> drainUnreported() {
    Map<String, Long> out = new HashMap<>();
    unreported.forEach(
        (key, count) -> {
          long n = count.getAndSet(0);
          if (n > 0) out.put(key, n);
        });
    unreported.entrySet().removeIf(e -> e.getValue().get() == 0);
    return out;
  }

  /**
   * Forgets buckets unused for longer than a full refill takes: they would be full again anyway.
   */
  void sweep() {
    long now = System.nanoTime();
    buckets.entrySet().removeIf(e -> now - e.getValue().lastUsed > IDLE_NANOS);
  }

  private Behavior<Sync> sync(String node) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Topic.Command<Consumed>> topic =
              ctx.spawn(Topic.create(Consumed.class, "freshet-rate-limits"), "topic");
          topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.syncInterval());
                long[] ticks = {0};
                long sweepEvery =
                    Math.max(
                        1, Duration.ofMinutes(1).toMillis() / settings.syncInterval().toMillis());
                return Behaviors.receive(Sync.class)
                    .onMessage(
                        Consumed.class,
                        c -> {
                          if (!c.node().equals(node)) apply(c);
                          return Behaviors.same();
                        })
                    .onMessageEquals(
                        Tick.INSTANCE,
                        () -> {
                          Map<String, Long> mine = drainUnreported();
                          if (!mine.isEmpty()) topic.tell(Topic.publish(new Consumed(node, mine)));
                          if (++ticks[0] % sweepEvery == 0) sweep();
                          return Behaviors.same();
                        })
                    .build();
              });
        });
  }
}
