package dev.freshet.http.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The cluster as this node sees it: what {@code GET /v1/admin/cluster} answers and the {@code
 * freshet_cluster_*} metrics export. The node's wiring implements it over Pekko Cluster and Cluster
 * Sharding (the {@code cluster} module's {@code ClusterOverview}); the edge only reads it.
 */
public interface ClusterView {

  /** Member statuses as the view and the metrics name them, in the order a member goes through. */
  List<String> STATUSES = List.of("joining", "weakly_up", "up", "leaving", "exiting", "down");

  /** Membership as this node's gossip has it now; sends no message. */
  Membership membership();

  /**
   * The shards and entities of the user entities' regions, asked of Cluster Sharding with {@code
   * timeout}. Always completes normally: a region that did not answer in time is named in {@link
   * Sharding#notAnswering()}, never an exception.
   */
  CompletionStage<Sharding> sharding(Duration timeout);

  /**
   * @param self this node's address
   * @param leader the cluster leader's address, null while there is none
   * @param oldest the oldest member able to host cluster singletons (where they run), null while
   *     there is none
   * @param members every member, oldest first
   * @param unreachable the members some member cannot reach, with who observes them
   */
  record Membership(
      String self,
      String leader,
      String oldest,
      List<Member> members,
      List<Unreachable> unreachable) {}

  /**
   * @param upNumber the order in which members became Up (lower is older; joining members have none
   *     yet: 0)
   * @param appVersion the application version the member announced (rolling upgrades)
   */
  record Member(
      String address,
      String status,
      List<String> roles,
      int upNumber,
      String appVersion,
      boolean reachable) {}

  /** A member some other member's failure detector cannot reach, and who those observers are. */
  record Unreachable(String address, String status, List<String> observedBy) {}

  /**
   * @param entityType the sharded entity type ({@code User})
   * @param regions every region that answered, by address
   * @param notAnswering the members expected to host a region that did not answer in time
   */
  record Sharding(String entityType, List<Region> regions, List<String> notAnswering) {}

  /**
   * One node's region: its shards with the entities alive in each, and the shards that did not
   * answer their region in time.
   */
  record Region(String address, Map<String, Long> entitiesByShard, List<String> failedShards) {
    public int shards() {
      return entitiesByShard.size();
    }

    public long entities() {
      return entitiesByShard.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
