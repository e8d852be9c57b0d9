package dev.freshet.http.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/admin/cluster}: the members as this node sees them (status, roles, up-number,
 * which is the leader and which the oldest, where the cluster singletons run), the unreachable ones
 * with their observers, and the user entities' shards and entities per node. When a region does not
 * answer in time the answer still comes, with {@code sharding.complete} false and the region in
 * {@code sharding.notAnswering}.
 */
public record ClusterAnswer(
    String self,
    String leader,
    String oldest,
    boolean selfIsLeader,
    boolean selfIsOldest,
    Map<String, Integer> membersByStatus,
    List<Member> members,
    List<ClusterView.Unreachable> unreachable,
    Sharding sharding) {

  /** A member, with whether it is this node, the leader, the oldest. */
  public record Member(
      String address,
      String status,
      List<String> roles,
      int upNumber,
      String appVersion,
      boolean reachable,
      boolean self,
      boolean leader,
      boolean oldest) {}

  /** The sharded user entities (entity type {@code User}) per region. */
  public record Sharding(
      String entityType,
      boolean complete,
      int shards,
      long entities,
      List<Region> regions,
      List<String> notAnswering,
      long timeoutMillis) {}

  /** One node's region: how many shards and entities it holds, and each shard's entities. */
  public record Region(
      String address,
      int shards,
      long entities,
      Map<String, Long> entitiesByShard,
      List<String> failedShards) {}

  public static ClusterAnswer of(
      ClusterView.Membership membership, ClusterView.Sharding sharding, long timeoutMillis) {
    Map<String, Integer> byStatus = new LinkedHashMap<>();
    for (String status : ClusterView.STATUSES) byStatus.put(status, 0);
    List<Member> members = new ArrayList<>(membership.members().size());
    for (ClusterView.Member m : membership.members()) {
      byStatus.merge(m.status(), 1, Integer::sum);
      members.add(
          new Member(
              m.address(),
              m.status(),
              m.roles(),
              m.upNumber(),
              m.appVersion(),
              m.reachable(),
              m.address().equals(membership.self()),
              m.address().equals(membership.leader()),
              m.address().equals(membership.oldest())));
    }
    List<Region> regions = new ArrayList<>(sharding.regions().size());
    int shards = 0;
    long entities = 0;
    for (ClusterView.Region r : sharding.regions()) {
      regions.add(
          new Region(r.address(), r.shards(), r.entities(), r.entitiesByShard(), r.failedShards()));
      shards += r.shards();
      entities += r.entities();
    }
    boolean complete =
        sharding.notAnswering().isEmpty()
            && sharding.regions().stream().allMatch(r -> r.failedShards().isEmpty());
    return new ClusterAnswer(
        membership.self(),
        membership.leader(),
        membership.oldest(),
        Objects.equals(membership.self(), membership.leader()),
        Objects.equals(membership.self(), membership.oldest()),
        byStatus,
        members,
        membership.unreachable(),
        new Sharding(
            sharding.entityType(),
            complete,
            shards,
            entities,
            regions,
            sharding.notAnswering(),
            timeoutMillis));
  }
}
