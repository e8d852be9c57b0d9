package dev.freshet.cluster.processes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.cluster.TestNodes;
import dev.freshet.persistence.EmbeddedDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three Freshet nodes as an operator runs them (the fat jar, one PostgreSQL, settings in the
 * environment), forming their cluster through Cluster Bootstrap over a Kubernetes API server that
 * lists their pods, with impressions sent to all of them through HTTP the whole time: scale 2 → 3,
 * a {@code kill -9}, a rolling restart of all three, scale 3 → 2; then every acknowledged
 * impression must be in the survivors' entities and in {@code user_impressions}, exactly once. The
 * figures go to the output and to {@code target/processes/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
class ClusterProcessesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int USERS = 300;
  private static final Duration READY = Duration.ofMinutes(3);
  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  private Path dir;
  private EmbeddedDatabase db;
  private KubernetesApi kubernetes;
  private final List<NodeProcess> nodes = new ArrayList<>();

  /** The nodes a load balancer would send to now (ready ones; one being stopped is taken out). */
  private final List<NodeProcess> serving = new CopyOnWriteArrayList<>();

  private IngestLoad load;
  private final Map<String, Set<String>> before = new HashMap<>();
  private final List<String> figures = new ArrayList<>();

  @BeforeAll
  void startInfrastructure() throws IOException {
    dir = Path.of("target", "processes");
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve("figures.txt"));
    db = TestNodes.database();
    kubernetes = new KubernetesApi(dir.resolve("serviceaccount"));
    for (int n = 1; n <= 3; n++) {
      Map<String, String> env = new HashMap<>(kubernetes.nodeEnvironment());
      env.put("FRESHET_DB_URL", db.jdbcUrl());
      env.put("FRESHET_DB_USER", "postgres");
      env.put("FRESHET_DB_PASSWORD", "");
      env.put("FRESHET_DATA_DIR", dir.resolve("node-" + n).toAbsolutePath().toString());
      env.put("FRESHET_REQUIRED_CONTACT_POINTS", "2");
      // the durability of the cluster is under test here, not the keys and limits of the edge
      env.put("FRESHET_AUTH", "off");
      env.put("FRESHET_RATE_LIMITS", "off");
      List<String> jvm = new ArrayList<>(List.of("-Xms256m", "-Xmx768m"));
      jvm.addAll(kubernetes.nodeJvmOptions());
      nodes.add(new NodeProcess("node-" + n, NodeProcess.Ports.free(), env, jvm, dir));
    }
  }

  @AfterAll
  void stopEverything() {
    if (load != null) load.close();
    nodes.forEach(NodeProcess::close);
    if (kubernetes != null) kubernetes.close();
    if (db != null) db.close();
  }

  @Test
  @Order(1)
  void twoPodsFormOneClusterThroughTheKubernetesApiAndAThirdJoinsIt() {
    NodeProcess first = nodes.get(0);
    NodeProcess second = nodes.get(1);
    NodeProcess third = nodes.get(2);
    kubernetes.addPod(first);
    kubernetes.addPod(second);
    assertThat(kubernetes.pods()).hasSize(2);
    first.start();
    second.start();
    first.awaitReady(READY);
    second.awaitReady(READY);
    assertOneCluster(List.of(first, second));
    serving.addAll(List.of(first, second));

    // users with state on two nodes
    for (int u = 0; u < 60; u++) {
      String user = "early-" + u;
      Set<String> items = Set.of("demo-" + (4000 + u), "demo-" + (4100 + u));
      post(serving.get(u % 2), user, items);
      before.put(user, items);
    }

    long t0 = System.nanoTime();
    kubernetes.addPod(third);
    third.start();
    third.awaitReady(READY);
    assertOneCluster(nodes);
    serving.add(third);
    // the coordinator hands shards to the newcomer (rebalance-interval 10 s): it hosts users now
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (shardsOn(third) == 0 && System.nanoTime() < deadline) NodeProcess.sleep(500);
    assertThat(shardsOn(third)).as("shards on the third node").isPositive();
    figure(
        "scale 2 -> 3: node-3 ready and hosting %d shards %.1f s after its start",
        shardsOn(third), seconds(System.nanoTime() - t0));
    assertThat(kubernetes.podLists()).as("pod lists the nodes asked for").isGreaterThan(3);
    // every user's state is where the cluster now keeps it
    before.forEach((user, items) -> assertThat(seenItems(nodes.get(2), user)).isEqualTo(items));
  }

  @Test
  @Order(2)
  void aKilledNodesUsersAreWritableAgainOnceTheSplitBrainResolverHasDownedIt() {
    load = new IngestLoad(() -> serving, users(), 5000, 6);
    NodeProcess.sleep(15_000);
    NodeProcess victim = nodes.get(2);
    int victimShards = shardsOn(victim);
    assertThat(victimShards).isPositive();
    long acknowledgedBefore = load.acknowledgedImpressions();

    LocalTime killedAt = LocalTime.now();
    long kill = System.nanoTime();
    victim.kill();
    // a load balancer stops sending once its health checks fail: a few seconds, not at once
    NodeProcess.sleep(3_000);
    serving.remove(victim);
    NodeProcess survivor = nodes.get(0);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (members(survivor).size() != 2 && System.nanoTime() < deadline) NodeProcess.sleep(200);
    assertThat(members(survivor)).as("members after the SBR downed node-3").hasSize(2);
    // then 15 s of load on the survivors alone
    NodeProcess.sleep(15_000);
    long end = System.nanoTime();

    List<IngestLoad.Attempt> attempts = load.attemptsBetween(kill, end);
    List<IngestLoad.Attempt> atSurvivors =
        attempts.stream().filter(a -> !a.node().equals(victim.name)).toList();
    List<IngestLoad.Attempt> failedThere = atSurvivors.stream().filter(a -> !a.ok()).toList();
    // writable again: the last request at a survivor that failed was sent then (it may have waited
    // for the shard's new home until its timeout, which says nothing of when writes came back)
    double lastFailure = latestAfter(kill, failedThere, IngestLoad.Attempt::sentNanos);
    double lastFailureAnswered = latestAfter(kill, failedThere, IngestLoad.Attempt::atNanos);
    // the dead node's users are served again once the requests that waited for them are answered:
    // the last answer, after the kill, of a request that took more than a second and succeeded (a
    // failed one says when its timeout ran out, not when the user came back)
    double servedAgain =
        latestAfter(
            kill,
            atSurvivors.stream()
                .filter(a -> a.ok() && a.atNanos() - a.sentNanos() > 1_000_000_000L)
                .toList(),
            IngestLoad.Attempt::atNanos);
    Map<String, Long> outcomes =
        failedThere.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    IngestLoad.Attempt::outcome,
                    TreeMap::new,
                    java.util.stream.Collectors.counting()));
    // the leader downs and removes; either survivor may be the leader
    String survivorLogs = nodes.get(0).logText() + "\n" + nodes.get(1).logText();
    double unreachable = logSeconds(survivorLogs, "Marking node as UNREACHABLE", killedAt);
    double downed = logSeconds(survivorLogs, "SBR took decision", killedAt);
    double removed = logSeconds(survivorLogs, "Leader is removing", killedAt);
    figure(
        "kill -9 of node-3 (%d shards): unreachable after %.1f s, downed by the SBR after %.1f s,"
            + " removed after %.1f s; its users served again %.1f s after the kill (the last success"
            + " of a request that waited over 1 s); the last request at a survivor that failed was"
            + " sent %.1f s after the kill (answered at %.1f s); %d of %d attempts at survivors"
            + " failed %s, %d"
            + " at the dead node; %d batches abandoned after %d attempts (a client that retries for"
            + " ~13 s)",
        victimShards,
        unreachable,
        downed,
        removed,
        servedAgain,
        lastFailure,
        lastFailureAnswered,
        failedThere.size(),
        atSurvivors.size(),
        outcomes,
        attempts.size() - atSurvivors.size(),
        load.batchesAbandoned(),
        8);
    assertThat(load.acknowledgedImpressions()).isGreaterThan(acknowledgedBefore);
    // the target is 10 s (issue 17): since the coordinator's plain-majority writes, requests sent
    // from 6 to 9 s after the kill on succeed and the waiting ones are answered by 12 s on two
    // cores; 20 s guards against a regression towards the 51 s of Pekko's defaults
    assertThat(servedAgain)
        .as("seconds until the dead node's users are served again")
        .isLessThan(20);

    victim.start();
    victim.awaitReady(READY);
    assertOneCluster(nodes);
    serving.add(victim);
  }

  @Test
  @Order(3)
  void aRollingRestartOfAllThreeFailsNoRequestOfAClientThatRetries() {
    long abandonedBefore = load.batchesAbandoned();
    long start = System.nanoTime();
    List<String> stops = new ArrayList<>();
    for (NodeProcess node : nodes) {
      // as Kubernetes does: out of the endpoints (preStop), then SIGTERM, then the new pod
      serving.remove(node);
      NodeProcess.sleep(1_000);
      Duration stopped = node.stop(Duration.ofSeconds(90));
      // 143 (128 + SIGTERM) once coordinated shutdown has run from the JVM's shutdown hook
      assertThat(node.exitCode()).as(node.name + " exit code after SIGTERM").isIn(0, 143);
      long restart = System.nanoTime();
      node.start().awaitReady(READY);
      serving.add(node);
      stops.add(
          String.format(
              Locale.ROOT,
              "%s stopped in %.1f s, ready again in %.1f s",
              node.name,
              stopped.toMillis() / 1000.0,
              seconds(System.nanoTime() - restart)));
      NodeProcess.sleep(3_000);
    }
    assertOneCluster(nodes);
    long end = System.nanoTime();
    List<IngestLoad.Attempt> attempts = load.attemptsBetween(start, end);
    long failed = attempts.stream().filter(a -> !a.ok()).count();
    figure(
        "rolling restart (%s) in %.0f s: %d of %d attempts failed (%.2f %%), %d batches failed"
            + " after retries",
        String.join("; ", stops),
        seconds(end - start),
        failed,
        attempts.size(),
        100.0 * failed / Math.max(1, attempts.size()),
        load.batchesAbandoned() - abandonedBefore);
    assertThat(load.batchesAbandoned() - abandonedBefore)
        .as("batches a retrying client saw fail")
        .isZero();
  }

  @Test
  @Order(4)
  void scaleDownToTwoKeepsEveryUsersState() {
    NodeProcess leaving = nodes.get(2);
    serving.remove(leaving);
    NodeProcess.sleep(1_000);
    Duration stopped = leaving.stop(Duration.ofSeconds(90));
    NodeProcess.sleep(5_000);
    load.close();
    List<NodeProcess> remaining = nodes.subList(0, 2);
    assertOneCluster(remaining);
    figure("scale 3 -> 2: node-3 left in %.1f s", stopped.toMillis() / 1000.0);
    before.forEach((user, items) -> assertThat(seenItems(remaining.get(0), user)).isEqualTo(items));
  }

  @Test
  @Order(5)
  void everyAcknowledgedImpressionIsInTheEntitiesAndTheReadModelExactlyOnce() throws Exception {
    Map<String, Set<String>> acknowledged = load.acknowledged();
    long total = load.acknowledgedImpressions();
    assertThat(total).isGreaterThan(1_000);
    long missingInEntities = 0;
    long unacknowledgedInEntities = 0;
    int u = 0;
    for (Map.Entry<String, Set<String>> e : acknowledged.entrySet()) {
      Set<String> seen = seenItems(nodes.get(u++ % 2), e.getKey());
      Set<String> missing = new TreeSet<>(e.getValue());
      missing.removeAll(seen);
      missingInEntities += missing.size();
      unacknowledgedInEntities += seen.size() - (e.getValue().size() - missing.size());
    }

    Map<String, Integer> rows = new HashMap<>();
    long duplicated = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    long missingInReadModel;
    do {
      rows.clear();
      duplicated = readModel(rows);
      missingInReadModel = 0;
      for (Map.Entry<String, Set<String>> e : acknowledged.entrySet()) {
        for (String item : e.getValue()) {
          if (!rows.containsKey(e.getKey() + "/" + item)) missingInReadModel++;
        }
      }
      if (missingInReadModel > 0) NodeProcess.sleep(1_000);
    } while (missingInReadModel > 0 && System.nanoTime() < deadline);

    figure(
        "ledger: %d impressions acknowledged in %d batches (%d retried, %d abandoned); missing"
            + " from the entities %d, from user_impressions %d; duplicated rows %d; rows counting"
            + " a second view (a retry applied after a timed-out attempt) %d; recorded but never"
            + " acknowledged %d",
        total,
        load.batchesAcknowledged(),
        load.batchesRetried(),
        load.batchesAbandoned(),
        missingInEntities,
        missingInReadModel,
        duplicated,
        recountedViews,
        unacknowledgedInEntities);
    assertThat(load.refusals()).as("batches refused as bad input").isEmpty();
    assertThat(missingInEntities).as("acknowledged impressions missing from the entities").isZero();
    assertThat(missingInReadModel)
        .as("acknowledged impressions missing from user_impressions")
        .isZero();
    assertThat(duplicated).as("(user, item) rows seen more than once").isZero();
    assertThat(recountedViews).as("rows counting a retried batch's view twice").isZero();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static List<String> users() {
    return IntStream.range(0, USERS).mapToObj(i -> "user-" + i).toList();
  }

  /**
   * Rows whose one (user, item) counts more than one view: a batch applied again after its first
   * attempt timed out at the edge (the edge gives the Idempotency-Key back on a timeout, and the
   * timed-out command may still reach the entity). Each batch shows its items once, so there must
   * be none: the entity remembers the batch ids it wrote.
   */
  private long recountedViews;

  /** (user, item) rows of this test's surface; answers how many are there more than once. */
  private long readModel(Map<String, Integer> rows) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT user_id, item_id, count(*), sum(view_count) FROM user_impressions"
                    + " WHERE surface = 'processes-test' GROUP BY user_id, item_id")) {
      long duplicated = 0;
      recountedViews = 0;
      while (r.next()) {
        rows.put(r.getString(1) + "/" + r.getString(2), r.getInt(3));
        if (r.getInt(3) != 1) duplicated++;
        else if (r.getInt(4) != 1) recountedViews++;
      }
      return duplicated;
    }
  }

  private void assertOneCluster(List<NodeProcess> expected) {
    Set<String> addresses = new HashSet<>();
    for (NodeProcess n : expected) addresses.add("pekko://freshet@127.0.0.1:" + n.ports.remote());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (expected.stream().allMatch(n -> upMembers(n).equals(addresses))) return;
      NodeProcess.sleep(500);
    }
    for (NodeProcess n : expected) {
      assertThat(upMembers(n)).as("Up members seen by " + n.name).isEqualTo(addresses);
    }
  }

  private static Set<String> upMembers(NodeProcess node) {
    Set<String> up = new HashSet<>();
    for (JsonNode m : members(node)) {
      if (m.path("status").asText().equals("Up")) up.add(m.path("node").asText());
    }
    return up;
  }

  private static List<JsonNode> members(NodeProcess node) {
    try {
      JsonNode body = JSON.readTree(NodeProcess.get(node.managementUrl() + "/cluster/members"));
      List<JsonNode> list = new ArrayList<>();
      body.path("members").forEach(list::add);
      return list;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static int shardsOn(NodeProcess node) {
    try {
      JsonNode body = JSON.readTree(NodeProcess.get(node.managementUrl() + "/cluster/shards/User"));
      return body.path("regions").size();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static Set<String> seenItems(NodeProcess node, String user) {
    try {
      JsonNode body =
          JSON.readTree(NodeProcess.get(node.baseUrl() + "/v1/users/" + user + "/export"));
      Set<String> seen = new HashSet<>();
      body.path("state").path("seenItems").forEach(i -> seen.add(i.asText()));
      return seen;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void post(NodeProcess node, String user, Set<String> items) {
    String body =
        "{\"userId\":\""
            + user
            + "\",\"itemIds\":["
            + String.join(",", items.stream().map(s -> "\"" + s + "\"").toList())
            + "]}";
    try {
      var response =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(node.baseUrl() + "/v1/impressions"))
                      .header("Content-Type", "application/json")
                      .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Seconds from {@code after} to the earliest line of the logs containing {@code text} after it.
   */
  private static double logSeconds(String logs, String text, LocalTime after) {
    Pattern time = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) ");
    double first = Double.NaN;
    for (String line : logs.split("\n")) {
      if (!line.contains(text)) continue;
      Matcher m = time.matcher(line);
      if (!m.find()) continue;
      LocalTime at = LocalTime.parse(m.group(1), LOG_TIME);
      if (at.isAfter(after)) {
        double s = Duration.between(after, at).toMillis() / 1000.0;
        if (Double.isNaN(first) || s < first) first = s;
      }
    }
    return first;
  }

  /**
   * Seconds from {@code from} to the latest instant {@code at} gives of {@code attempts} (0: none).
   */
  private static double latestAfter(
      long from,
      List<IngestLoad.Attempt> attempts,
      java.util.function.ToLongFunction<IngestLoad.Attempt> at) {
    return attempts.stream().mapToLong(at).max().stream()
        .mapToDouble(t -> seconds(t - from))
        .findFirst()
        .orElse(0);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private void figure(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    figures.add(line);
    System.out.println("[processes] " + line);
    try {
      Files.writeString(
          dir.resolve("figures.txt"),
          line + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
