package dev.freshet.cluster;

import dev.freshet.actors.user.UserEntity;
import dev.freshet.http.api.ClusterView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@link ClusterView} over Pekko Cluster and Cluster Sharding: what {@code GET /v1/admin/cluster}
 * and the {@code freshet_cluster_*} metrics show.
 *
 * <p>Shard statistics come from Cluster Sharding's {@code GetClusterShardingStats}, which the
 * coordinator gathers from every region. It answers with nothing at all when a single region does
 * not answer in time (and not at all when the coordinator's node is the unreachable one), so the
 * members it leaves out are then asked one by one ({@code GetShardRegionStats} to their region);
 * those that still do not answer are named.
 */
final class ClusterOverview implements ClusterView {

  private static final Set<MemberStatus> HOSTING_REGIONS =
      Set.of(MemberStatus.up(), MemberStatus.weaklyUp(), MemberStatus.leaving());

  private final ActorSystem<?> system;
  private final Cluster cluster;
  private final ActorRef region;
  private final String singletonRole;

  ClusterOverview(ActorSystem<?> system) {
    this.system = system;
    this.cluster = Cluster.get(system.classicSystem());
    this.region =
        ClusterSharding.get(system.classicSystem()).shardRegion(UserEntity.TYPE_KEY.name());
    this.singletonRole = system.settings().config().getString("pekko.cluster.singleton.role");
  }

  @Override
  public Membership membership() {
    ClusterEvent.CurrentClusterState state = cluster.state();
    List<org.apache.pekko.cluster.Member> members = new ArrayList<>();
    state.getMembers().forEach(members::add);
    Comparator<org.apache.pekko.cluster.Member> byAge =
        org.apache.pekko.cluster.Member.ageOrdering()::compare;
    members.sort(byAge);
    Set<org.apache.pekko.cluster.Member> unreachable = state.getUnreachable();
    org.apache.pekko.cluster.Member oldest =
        members.stream()
            .filter(m -> m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving())
            .filter(m -> singletonRole.isEmpty() || m.hasRole(singletonRole))
            .findFirst()
            .orElse(null);
    List<ClusterView.Member> listed = new ArrayList<>(members.size());
    for (org.apache.pekko.cluster.Member m : members) {
      listed.add(
          new ClusterView.Member(
              m.address().toString(),
              status(m.status()),
              m.getRoles().stream().sorted().toList(),
              m.status() == MemberStatus.joining() || m.status() == MemberStatus.weaklyUp()
                  ? 0
                  : m.upNumber(),
              m.appVersion().version(),
              !unreachable.contains(m)));
    }
    // who observes whom: the same reachability table Pekko Management's /cluster/members reads
    Map<UniqueAddress, scala.collection.immutable.Set<UniqueAddress>> observers =
        CollectionConverters.asJava(
            cluster.readView().reachability().observersGroupedByUnreachable());
    List<Unreachable> unreachableListed = new ArrayList<>();
    for (org.apache.pekko.cluster.Member m : members) {
      if (!unreachable.contains(m)) continue;
      var seenBy = observers.get(m.uniqueAddress());
      List<String> by =
          seenBy == null
              ? List.of()
              : CollectionConverters.asJava(seenBy).stream()
                  .map(u -> u.address().toString())
                  .sorted()
                  .toList();
      unreachableListed.add(new Unreachable(m.address().toString(), status(m.status()), by));
    }
    Address leader = state.getLeader();
    return new Membership(
        cluster.selfAddress().toString(),
        leader == null ? null : leader.toString(),
        oldest == null ? null : oldest.address().toString(),
        List.copyOf(listed),
        List.copyOf(unreachableListed));
  }

  static String status(MemberStatus status) {
    if (status == MemberStatus.weaklyUp()) return "weakly_up";
    if (status == MemberStatus.shuttingDown()) return "shutting_down";
    if (status == MemberStatus.shutDown()) return "shut_down";
    return status.toString().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public CompletionStage<Sharding> sharding(Duration timeout) {
    List<Address> expected = new ArrayList<>();
    cluster
        .state()
        .getMembers()
        .forEach(
            m -> {
              if (HOSTING_REGIONS.contains(m.status())) expected.add(m.address());
            });
    FiniteDuration inner = FiniteDuration.create(timeout.toMillis(), TimeUnit.MILLISECONDS);
    // the coordinator waits `timeout` for the regions; a little longer for its answer to arrive
    CompletableFuture<Map<Address, ShardRegion.ShardRegionStats>> all =
        Patterns.ask(
                region,
                new ShardRegion.GetClusterShardingStats(inner),
                timeout.plus(timeout.dividedBy(2)))
            .<Map<Address, ShardRegion.ShardRegionStats>>thenApply(
                reply -> new HashMap<>(((ShardRegion.ClusterShardingStats) reply).getRegions()))
            .exceptionally(e -> new HashMap<>())
            .toCompletableFuture();
    return all.thenCompose(
        answered -> {
          List<Address> missing = expected.stream().filter(a -> !answered.containsKey(a)).toList();
          List<CompletableFuture<Void>> asks = new ArrayList<>();
          Map<Address, ShardRegion.ShardRegionStats> direct =
              new java.util.concurrent.ConcurrentHashMap<>();
          for (Address address : missing) {
            asks.add(
                Patterns.ask(
                        system
                            .classicSystem()
                            .actorSelection(region.path().toStringWithAddress(address)),
                        ShardRegion.getRegionStatsInstance(),
                        timeout)
                    .thenAccept(reply -> direct.put(address, (ShardRegion.ShardRegionStats) reply))
                    .exceptionally(e -> null)
                    .toCompletableFuture());
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApply(
                  done -> {
                    Map<Address, ShardRegion.ShardRegionStats> stats = new HashMap<>(answered);
                    stats.putAll(direct);
                    return sharding(stats, missing);
                  });
        });
  }

  private Sharding sharding(Map<Address, ShardRegion.ShardRegionStats> stats, List<Address> asked) {
    // the local region's address may come back without host and port
    Address self = cluster.selfAddress();
    List<Region> regions = new ArrayList<>();
    Set<String> answered = new java.util.HashSet<>();
    for (var e : stats.entrySet()) {
      Address address = e.getKey().hasLocalScope() ? self : e.getKey();
      Map<String, Long> byShard = new TreeMap<>();
      e.getValue().getStats().forEach((shard, n) -> byShard.put(shard, ((Number) n).longValue()));
      regions.add(
          new Region(
              address.toString(), byShard, e.getValue().getFailed().stream().sorted().toList()));
      answered.add(address.toString());
    }
    regions.sort(Comparator.comparing(Region::address));
    List<String> notAnswering =
        asked.stream().map(Address::toString).filter(a -> !answered.contains(a)).sorted().toList();
    return new Sharding(UserEntity.TYPE_KEY.name(), List.copyOf(regions), notAnswering);
  }
}
