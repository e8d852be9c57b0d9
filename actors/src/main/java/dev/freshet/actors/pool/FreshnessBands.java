package dev.freshet.actors.pool;

import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * How fresh the users resident on this node are, by band: each user entity puts itself in the band
 * of its freshness when it recovers, moves when a command changes it and leaves when it stops
 * (passivation, hand-off, shutdown). Resident means active within the passivation timeout, so these
 * are the node's active users; summed over nodes they are the cluster's. A band is as of the user's
 * last command: items added since do not move an idle user until it asks for something again.
 *
 * <p>One per ActorSystem, so that several nodes in one JVM (tests) each count their own; written by
 * the entities from their own threads and read by the metrics endpoint from any thread.
 */
public final class FreshnessBands implements Extension {

  /** The unseen share of the active pool splits users in two, as SPEC C9's freshness KPI does. */
  public enum Share {
    /** At least half of the active pool is unseen. */
    HALF_OR_MORE_UNSEEN,
    /** Less than half of the active pool is unseen. */
    UNDER_HALF_UNSEEN,
    /** No active items at all: the share is undefined, so these users count in neither half. */
    EMPTY_POOL;

    /** The share of a user with {@code unseen} of the {@code poolSize} active items unseen. */
    public static Share of(int poolSize, int unseen) {
      if (poolSize == 0) return EMPTY_POOL;
      return 2L * unseen >= poolSize ? HALF_OR_MORE_UNSEEN : UNDER_HALF_UNSEEN;
    }
  }

  /**
   * One user's band: the unseen share and whether fewer items than the at-risk limit are unseen (a
   * small pool can be more than half unseen and still almost exhausted, so the two are
   * independent).
   */
  public record Band(Share share, boolean fewUnseen) {

    private static final Band[] ALL = new Band[Share.values().length * 2];

    static {
      for (Share s : Share.values()) {
        ALL[index(s, false)] = new Band(s, false);
        ALL[index(s, true)] = new Band(s, true);
      }
    }

    /**
     * The band of {@code freshness}, {@code fewUnseenBelow} being the at-risk limit of {@link
     * PoolSettings}.
     */
    public static Band of(Freshness freshness, int fewUnseenBelow) {
      Share share = Share.of(freshness.poolSize(), freshness.unseen());
      if (share == Share.EMPTY_POOL) return ALL[index(Share.EMPTY_POOL, false)];
      return ALL[index(share, freshness.unseen() < fewUnseenBelow)];
    }

    private static int index(Share share, boolean fewUnseen) {
      return share.ordinal() * 2 + (fewUnseen ? 1 : 0);
    }

    int index() {
      return index(share, fewUnseen);
    }
  }

  public static final ExtensionId<FreshnessBands> ID =
      new ExtensionId<>() {
        @Override
        public FreshnessBands createExtension(ActorSystem<?> system) {
          return new FreshnessBands();
        }
      };

  public static FreshnessBands get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final AtomicLongArray users = new AtomicLongArray(Band.ALL.length);

  /** One per ActorSystem: {@link #get}. */
  FreshnessBands() {}

  /**
   * A user is now in {@code to}, coming from {@code from} ({@code null}: it was not counted, e.g.
   * just recovered) or leaving ({@code to} null).
   */
  public void move(Band from, Band to) {
    if (from == to) return;
    if (from != null) users.decrementAndGet(from.index());
    if (to != null) users.incrementAndGet(to.index());
  }

  /** Resident users whose unseen share is in {@code share}. */
  public long users(Share share) {
    return users.get(Band.index(share, false)) + users.get(Band.index(share, true));
  }

  /** Resident users with a non-empty pool and fewer unseen items than the at-risk limit. */
  public long fewUnseen() {
    return users.get(Band.index(Share.HALF_OR_MORE_UNSEEN, true))
        + users.get(Band.index(Share.UNDER_HALF_UNSEEN, true));
  }

  /** Resident users counted in some band. */
  public long total() {
    long total = 0;
    for (int i = 0; i < users.length(); i++) total += users.get(i);
    return total;
  }

  /**
   * The freshness KPI: the share of resident users with a non-empty pool who have at least half of
   * it unseen; empty when there are none.
   */
  public OptionalDouble kpi() {
    long fresh = users(Share.HALF_OR_MORE_UNSEEN);
    long all = fresh + users(Share.UNDER_HALF_UNSEEN);
    return all == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) fresh / all);
  }
}
