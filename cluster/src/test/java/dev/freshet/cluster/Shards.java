package dev.freshet.cluster;

import dev.freshet.actors.user.UserEntity;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What Cluster Sharding holds in memory on a node, and waiting for conditions in tests. */
final class Shards {
  private Shards() {}

  /** Ids of the user entities currently alive on this node. */
  static Set<String> residentUsers(FreshetNode node) {
    try {
      ShardRegion.CurrentShardRegionState state =
          AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                  ClusterSharding.get(node.system()).shardState(),
                  replyTo -> new GetShardRegionState(UserEntity.TYPE_KEY, replyTo),
                  Duration.ofSeconds(5),
                  node.system().scheduler())
              .toCompletableFuture()
              .get();
      Set<String> ids = new HashSet<>();
      for (ShardRegion.ShardState shard : state.getShards()) ids.addAll(shard.getEntityIds());
      return ids;
    } catch (Exception e) {
      throw new IllegalStateException("Shard region state unavailable", e);
    }
  }

  static void awaitTrue(String what, Duration within, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("Timed out waiting for: " + what);
      Thread.sleep(50);
    }
  }
}
