package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.persistence.EmbeddedDatabase;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes configured as {@code bin/freshet node N} configures them, with {@code
 * FRESHET_SEED_NODES} listing the three management endpoints: no node forms a cluster before every
 * listed node has answered, the three form one, and the node that formed it, restarted, joins the
 * others again instead of forming a second cluster (what static seed nodes did under load).
 */
class SeedNodesFormationTest {

  private record Ports(int management, int remote) {}

  private final EmbeddedDatabase db = TestNodes.database();
  private final List<Ports> ports = List.of(ports(), ports(), ports());
  private final String seedNodes =
      ports.stream().map(p -> "127.0.0.1:" + p.management()).collect(Collectors.joining(","));
  private final Map<Ports, FreshetNode> running = new HashMap<>();

  @AfterEach
  void stopAll() {
    running.values().forEach(FreshetNode::stop);
    db.close();
  }

  @Test
  void nodesFormOneClusterOnceAllAnswerAndTheLowestRejoinsItAfterARestart() throws Exception {
    Ports first = ports.get(0);
    start(first);
    // alone, past Bootstrap's stable margin (5 s): it waits for the two it has not heard from
    pause(Duration.ofSeconds(8));
    assertThat(Cluster.get(running.get(first).system()).state().getMembers())
        .as("members of a lone node whose seed nodes do not answer")
        .isEmpty();

    start(ports.get(1));
    start(ports.get(2));
    awaitOneCluster(3);

    // the lowest endpoint formed the cluster; restarted, it joins the two that kept it
    Ports lowest = ports.stream().min(Comparator.comparingInt(Ports::management)).orElseThrow();
    running.remove(lowest).stop();
    Shards.awaitTrue(
        "two members after the lowest left",
        Duration.ofSeconds(30),
        () -> upMembers(running.get(otherThan(lowest))).size() == 2);
    // a second cluster would show as views that differ: the restarted node alone in its own
    start(lowest);
    awaitOneCluster(3);
  }

  private void awaitOneCluster(int size) throws InterruptedException {
    Shards.awaitTrue(
        size + " members Up, the same on every node",
        Duration.ofSeconds(60),
        () -> {
          Set<Set<String>> views =
              running.values().stream()
                  .map(SeedNodesFormationTest::upMembers)
                  .collect(Collectors.toSet());
          return views.size() == 1 && views.iterator().next().size() == size;
        });
  }

  private Ports otherThan(Ports p) {
    return running.keySet().stream().filter(q -> !q.equals(p)).findFirst().orElseThrow();
  }

  private static Set<String> upMembers(FreshetNode node) {
    Set<String> up = new java.util.HashSet<>();
    for (Member m : Cluster.get(node.system()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) up.add(m.address().toString());
    }
    return up;
  }

  private void start(Ports p) {
    Map<String, Object> values = new HashMap<>();
    values.put("freshet.db.url", db.jdbcUrl());
    values.put("freshet.db.user", "postgres");
    values.put("freshet.db.password", "");
    values.put("freshet.management.enabled", true);
    values.put("pekko.management.http.hostname", "127.0.0.1");
    values.put("pekko.management.http.port", p.management());
    values.put("pekko.remote.artery.canonical.port", p.remote());
    values.put("freshet.cluster.seed-nodes", seedNodes);
    running.put(p, FreshetNode.start(TestNodes.config(values), Optional.empty()));
  }

  private static Ports ports() {
    return new Ports(TestNodes.freePort(), TestNodes.freePort());
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
