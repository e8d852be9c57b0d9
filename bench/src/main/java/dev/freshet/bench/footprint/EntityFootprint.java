package dev.freshet.bench.footprint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.features.Interaction;
import dev.freshet.actors.features.InteractionType;
import dev.freshet.actors.user.UserEntity;
import dev.freshet.cluster.FreshetNode;
import dev.freshet.persistence.EmbeddedDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Heap per resident user and recovery time of a user entity (issue 14, item 6; SPEC "Performance":
 * ≤ 3 KiB heap per resident user with 1,000 seen items, recovery ≤ 20 ms at 10,000 seen items).
 *
 * <p>Starts a real single node in this JVM on an embedded PostgreSQL, with a demo catalog large
 * enough for the seen sets, and drives the user entities through Cluster Sharding's commands only
 * (never the journal's event classes):
 *
 * <ol>
 *   <li><b>Heap</b>: N users resident with {@code seen} distinct items each (batches of {@code
 *       batch} impressions), a live class histogram (a full GC first) of the whole heap; N more
 *       users, a second histogram. (heap at 2N − heap at N) / N is the heap per resident user,
 *       without the node's fixed cost; the histogram's difference says what it is made of. Read
 *       models are off and passivation is an hour, so nothing but the entities changes.
 *   <li><b>Recovery</b>: users with {@code recoverySeen} and {@code smallSeen} seen items and a
 *       batch of interactions each, half of them with their snapshots deleted (journal only). The
 *       node is restarted on the same database with a short passivation timeout; each round asks
 *       every user for its state (the first command, which recovers it) and times ask → reply, then
 *       waits until all have passivated. The first round starts the shards and compiles the code;
 *       the later ones are reported.
 * </ol>
 *
 * <p>{@code bench/run-footprint.sh} runs it. It is a benchmark, not a test: FootprintSmokeTest only
 * proves it runs in a tiny configuration.
 */
public final class EntityFootprint {

  static final double SPEC_HEAP_BYTES = 3 * 1024;
  static final double SPEC_RECOVERY_MS = 20;

  /**
   * Every ask schedules its timeout on Pekko's timer wheel, where a cancelled task stays until it
   * would have fired: the heap is measured {@code settle} seconds (≥ this) after the last ask.
   */
  private static final Duration ASK = Duration.ofSeconds(10);

  /** What to measure. */
  public record Options(
      int users,
      int seen,
      int batch,
      int recoveryUsers,
      int recoverySeen,
      int smallSeen,
      int interactions,
      int snapshotEvery,
      int rounds,
      int concurrency,
      int histogramTop,
      int catalogItems,
      int settleSeconds,
      long seed) {

    static Options defaults() {
      return new Options(2000, 1000, 20, 50, 10_000, 1000, 30, 100, 4, 32, 25, 10_000, 11, 42);
    }

    /** These options with the command line's {@code --name value} pairs applied. */
    Options parse(String[] args) {
      Map<String, Long> v = new LinkedHashMap<>();
      v.put("users", (long) users);
      v.put("seen", (long) seen);
      v.put("batch", (long) batch);
      v.put("recovery-users", (long) recoveryUsers);
      v.put("recovery-seen", (long) recoverySeen);
      v.put("small-seen", (long) smallSeen);
      v.put("interactions", (long) interactions);
      v.put("snapshot-every", (long) snapshotEvery);
      v.put("rounds", (long) rounds);
      v.put("concurrency", (long) concurrency);
      v.put("top", (long) histogramTop);
      v.put("items", (long) catalogItems);
      v.put("settle", (long) settleSeconds);
      v.put("seed", seed);
      for (int i = 0; i < args.length; i += 2) {
        String name = args[i].startsWith("--") ? args[i].substring(2) : "";
        if (!v.containsKey(name) || i + 1 >= args.length) {
          throw new IllegalArgumentException(
              "usage: EntityFootprint "
                  + String.join(" ", v.keySet().stream().map(k -> "[--" + k + " N]").toList()));
        }
        v.put(name, Long.parseLong(args[i + 1].replace("_", "")));
      }
      return new Options(
          v.get("users").intValue(),
          v.get("seen").intValue(),
          v.get("batch").intValue(),
          v.get("recovery-users").intValue(),
          v.get("recovery-seen").intValue(),
          v.get("small-seen").intValue(),
          v.get("interactions").intValue(),
          v.get("snapshot-every").intValue(),
          v.get("rounds").intValue(),
          v.get("concurrency").intValue(),
          v.get("top").intValue(),
          v.get("items").intValue(),
          v.get("settle").intValue(),
          v.get("seed"));
    }

    /**
     * Items in the catalog: at least {@code catalogItems}, and room for every seen set to be drawn
     * from distinct active items.
     */
    int items() {
      return Math.max(catalogItems, Math.max(seen, recoverySeen) + 2_000);
    }
  }

  /** Recovery latencies of one group, in ms. */
  public record Latencies(
      String group,
      int seen,
      boolean snapshot,
      long journalRows,
      long snapshotRows,
      double p50,
      double p99,
      double max,
      int samples,
      double warmP50,
      double cpuMs) {}

  public record Result(
      double heapBytesPerUser, double usedBytesPerUser, List<Latencies> recovery) {}

  private EntityFootprint() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.defaults().parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(options, System.out);
    System.exit(0);
  }

  public static Result run(Options o, PrintStream out) throws Exception {
    printConditions(o, out);
    Path dir = Files.createTempDirectory("freshet-footprint");
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("pg"), 0)) {
      // ---- heap, and the recovery users written on the same node ----
      FreshetNode node = FreshetNode.start(config(db, o, "1h", dir), Optional.empty());
      double heapPerUser;
      double usedPerUser;
      List<String> snapUsers = new ArrayList<>();
      List<String> journalOnlyUsers = new ArrayList<>();
      try {
        int[] pool = activeIds(node, o.items());
        out.printf(Locale.ROOT, "catalog: %,d active items%n", pool.length);
        Heap first = residentUsers(node, pool, o, 0, o.users(), out);
        Heap second = residentUsers(node, pool, o, o.users(), 2 * o.users(), out);
        heapPerUser = (second.histogramBytes - first.histogramBytes) / (double) o.users();
        usedPerUser = (second.usedBytes - first.usedBytes) / (double) o.users();
        printHeap(o, first, second, out);

        long t = System.nanoTime();
        for (int seenCount : new int[] {o.recoverySeen(), o.smallSeen()}) {
          for (String kind : new String[] {"s", "j"}) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < o.recoveryUsers(); i++) ids.add("r" + kind + seenCount + "-" + i);
            populate(node, pool, ids, seenCount, o);
            (kind.equals("s") ? snapUsers : journalOnlyUsers).addAll(ids);
          }
        }
        out.printf(
            Locale.ROOT, "recovery users written in %.1f s%n", (System.nanoTime() - t) / 1e9);
      } finally {
        node.stop();
      }
      // ---- recovery on a restarted node: entities passivate after 1 s idle ----
      node = FreshetNode.start(config(db, o, "1s", dir), Optional.empty());
      List<Latencies> recovery = new ArrayList<>();
      try {
        // a snapshot write of the first node can land after it stopped: delete, then check
        Thread.sleep(1000);
        int deleted = deleteSnapshots(db, journalOnlyUsers);
        long left = 0;
        for (String u : journalOnlyUsers) left += journalRows(db, u)[1];
        if (left > 0)
          throw new IllegalStateException(left + " snapshots left of journal-only users");
        out.printf(Locale.ROOT, "snapshots deleted for the journal-only users: %d rows%n", deleted);
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (int seenCount : new int[] {o.recoverySeen(), o.smallSeen()}) {
          groups.put(seenCount + " seen, snapshot", filter(snapUsers, "rs" + seenCount + "-"));
          groups.put(
              seenCount + " seen, journal only", filter(journalOnlyUsers, "rj" + seenCount + "-"));
        }
        // rows when measured (Pekko's snapshot after a long replay comes later, and is deleted)
        Map<String, long[]> rowsOf = new HashMap<>();
        for (var group : groups.entrySet())
          rowsOf.put(group.getKey(), journalRows(db, group.getValue().get(0)));
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        Map<String, List<Double>> warm = new LinkedHashMap<>();
        groups
            .keySet()
            .forEach(
                g -> {
                  samples.put(g, new ArrayList<>());
                  warm.put(g, new ArrayList<>());
                });
        Map<String, long[]> cpu = new HashMap<>();
        // the node's own background CPU (cluster gossip, samplers, timers) while no user is asked
        awaitPassivated(node);
        long idleCpu0 = processCpuNanos();
        long idleWall0 = System.nanoTime();
        Thread.sleep(1000);
        double idleCpuPerNano =
            (processCpuNanos() - idleCpu0) / (double) (System.nanoTime() - idleWall0);
        jdk.jfr.Recording jfr = startJfr();
        for (int round = 1; round <= o.rounds(); round++) {
          awaitPassivated(node);
          // Pekko saves a snapshot at the end of a recovery that replayed snapshot-every events or
          // more: without this, only round 1 would recover a journal-only user from its journal
          deleteSnapshots(db, journalOnlyUsers);
          for (var group : groups.entrySet()) {
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            for (String user : group.getValue()) {
              double cold = getStateMillis(node, user, o);
              double again = getStateMillis(node, user, o);
              if (round > 1 || o.rounds() == 1) {
                samples.get(group.getKey()).add(cold);
                warm.get(group.getKey()).add(again);
              }
            }
            if (round > 1 || o.rounds() == 1) {
              long[] c = cpu.computeIfAbsent(group.getKey(), k -> new long[2]);
              c[0] +=
                  processCpuNanos() - cpu0 - (long) (idleCpuPerNano * (System.nanoTime() - wall0));
              c[1] += group.getValue().size();
            }
          }
        }
        stopJfr(jfr, out);
        out.printf(
            Locale.ROOT,
            "node's background CPU while idle: %.1f %% of a core (subtracted from cpu ms)%n",
            idleCpuPerNano * 100);
        out.println();
        out.printf(
            Locale.ROOT,
            "## Recovery: first command (GetState) until its reply, after passivation; rounds 2..%d of %d (round 1 starts shards, compiles)%n",
            o.rounds(),
            o.rounds());
        out.printf(
            Locale.ROOT,
            "%-26s %8s %9s %7s %7s %7s %7s  %-12s %8s  %s%n",
            "group",
            "journal",
            "snapshot",
            "p50 ms",
            "p99 ms",
            "max ms",
            "n",
            "warm p50 ms",
            "cpu ms",
            "SPEC");
        for (var group : groups.entrySet()) {
          String name = group.getKey();
          boolean snap = name.endsWith("snapshot");
          int seenCount = Integer.parseInt(name.substring(0, name.indexOf(' ')));
          long[] rows = rowsOf.get(name);
          double[] s = sorted(samples.get(name));
          Latencies l =
              new Latencies(
                  name,
                  seenCount,
                  snap,
                  rows[0],
                  rows[1],
                  pct(s, 50),
                  pct(s, 99),
                  s[s.length - 1],
                  s.length,
                  pct(sorted(warm.get(name)), 50),
                  cpu.get(name)[0] / 1e6 / cpu.get(name)[1]);
          recovery.add(l);
          String target =
              seenCount >= 10_000
                  ? (l.p99() <= SPEC_RECOVERY_MS ? "≤ 20 ms: met (p99)" : "≤ 20 ms: NOT met (p99)")
                  : "";
          out.printf(
              Locale.ROOT,
              "%-26s %8d %9d %7.1f %7.1f %7.1f %7d  %-12.2f %8.2f  %s%n",
              name,
              l.journalRows(),
              l.snapshotRows(),
              l.p50(),
              l.p99(),
              l.max(),
              l.samples(),
              l.warmP50(),
              l.cpuMs(),
              target);
        }
        out.println(
            "journal / snapshot: rows of one user of the group; warm p50: a second GetState right after (command cost without recovery);"
                + " cpu ms: this JVM's CPU time per user over the group's loop, less the idle node's (both GetStates, the recovery, Pekko's snapshot after a long replay; not PostgreSQL's)");
        deleteSnapshots(db, journalOnlyUsers);
        printRecoveryParts(node, db, groups, out);
      } finally {
        node.stop();
      }
      out.println();
      out.printf(
          Locale.ROOT,
          "RESULT heapPerUser=%.0f B (SPEC ≤ %.0f B: %s), usedHeapPerUser=%.0f B%n",
          heapPerUser,
          SPEC_HEAP_BYTES,
          heapPerUser <= SPEC_HEAP_BYTES ? "met" : "NOT met",
          usedPerUser);
      return new Result(heapPerUser, usedPerUser, recovery);
    } finally {
      deleteRecursively(dir);
    }
  }

  // ---- node ------------------------------------------------------------------------------------

  static Config config(EmbeddedDatabase db, Options o, String passivation, Path dir) {
    Map<String, Object> v = new HashMap<>();
    v.put("freshet.db.url", db.jdbcUrl());
    v.put("freshet.db.user", "postgres");
    v.put("freshet.db.password", "");
    v.put("freshet.data-dir", dir.toString());
    v.put("freshet.http.host", "127.0.0.1");
    v.put("freshet.http.port", 0);
    v.put("freshet.http.internal.port", 0);
    v.put("pekko.remote.artery.canonical.port", 0);
    v.put("freshet.management.enabled", false);
    v.put("freshet.auth.enabled", "off");
    v.put("freshet.limits.enabled", "off");
    v.put("freshet.demo-catalog.enabled", true);
    v.put("freshet.demo-catalog.size", o.items());
    // nothing but the entities may grow between the two heap histograms
    v.put("freshet.read-models.enabled", false);
    v.put("freshet.user.snapshot-every", o.snapshotEvery());
    v.put(
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout",
        passivation);
    v.put("pekko.loglevel", "WARNING");
    v.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    return ConfigFactory.parseMap(v).withFallback(ConfigFactory.load());
  }

  private static int[] activeIds(FreshetNode node, int wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (node.catalog().snapshot().activeCount() < wanted) {
      if (System.nanoTime() > deadline)
        throw new IllegalStateException(
            "catalog not loaded: " + node.catalog().snapshot().activeCount());
      Thread.sleep(100);
      node.catalog().refresh();
    }
    return node.catalog().snapshot().activeInServingOrder(Optional.empty());
  }

  private static EntityRef<UserEntity.Command> user(FreshetNode node, String id) {
    return ClusterSharding.get(node.system()).entityRefFor(UserEntity.TYPE_KEY, id);
  }

  // ---- heap
  // --------------------------------------------------------------------------------------

  record Heap(int residents, long histogramBytes, long usedBytes, Map<String, long[]> classes) {}

  private static Heap residentUsers(
      FreshetNode node, int[] pool, Options o, int from, int to, PrintStream out) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) ids.add("h-" + i);
    long t = System.nanoTime();
    populateImpressions(node, pool, ids, o.seen(), o);
    double s = (System.nanoTime() - t) / 1e9;
    out.printf(
        Locale.ROOT,
        "users h-%d … h-%d: %,d × %d batches of %d impressions in %.1f s (%.0f batches/s)%n",
        from,
        to - 1,
        ids.size(),
        o.seen() / o.batch(),
        o.batch(),
        s,
        ids.size() * (o.seen() / (double) o.batch()) / s);
    int seen = getState(node, ids.get(ids.size() - 1)).seen();
    if (seen != o.seen())
      throw new IllegalStateException(
          "user " + ids.get(ids.size() - 1) + " has " + seen + " seen, not " + o.seen());
    // the asks' cancelled timeouts leave the timer wheel, journal writes' stragglers finish
    Thread.sleep(Math.max(500, o.settleSeconds() * 1000L));
    Map<String, long[]> classes = new HashMap<>();
    long total = liveHistogram(classes);
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    int residents = node.residentUsers().size();
    if (residents < to)
      throw new IllegalStateException("only " + residents + " of " + to + " users resident");
    out.printf(
        Locale.ROOT,
        "  resident users %,d: live heap (histogram) %,d B, used after System.gc() %,d B%n",
        residents,
        total,
        used);
    return new Heap(residents, total, used, classes);
  }

  private static void printHeap(Options o, Heap first, Heap second, PrintStream out) {
    int n = o.users();
    double perUser = (second.histogramBytes - first.histogramBytes) / (double) n;
    out.println();
    out.printf(
        Locale.ROOT,
        "## Heap per resident user (%d seen items each): (live heap at %,d users − at %,d) / %,d%n",
        o.seen(),
        second.residents,
        first.residents,
        n);
    out.printf(
        Locale.ROOT,
        "heap per user: %.0f B = %.2f KiB (histogram of live objects); %.0f B (MemoryMXBean used after System.gc()); SPEC ≤ 3 KiB: %s%n",
        perUser,
        perUser / 1024,
        (second.usedBytes - first.usedBytes) / (double) n,
        perUser <= SPEC_HEAP_BYTES ? "met" : "NOT met");
    out.printf(
        Locale.ROOT,
        "top classes by retained bytes per user (difference of the two histograms / %,d):%n",
        n);
    out.printf(Locale.ROOT, "%10s %10s  %s%n", "B/user", "obj/user", "class");
    List<Map.Entry<String, double[]>> rows = new ArrayList<>();
    for (var e : second.classes.entrySet()) {
      long[] before = first.classes.getOrDefault(e.getKey(), new long[2]);
      rows.add(
          Map.entry(
              e.getKey(),
              new double[] {
                (e.getValue()[0] - before[0]) / (double) n,
                (e.getValue()[1] - before[1]) / (double) n
              }));
    }
    rows.sort((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]));
    double shown = 0;
    for (var r : rows.subList(0, Math.min(o.histogramTop(), rows.size()))) {
      out.printf(Locale.ROOT, "%10.1f %10.2f  %s%n", r.getValue()[1], r.getValue()[0], r.getKey());
      shown += r.getValue()[1];
    }
    out.printf(
        Locale.ROOT,
        "%10.1f             (the %d classes above; the rest %.1f)%n",
        shown,
        Math.min(o.histogramTop(), rows.size()),
        perUser - shown);
    Map<String, Double> byOwner = new LinkedHashMap<>();
    for (var r : rows) byOwner.merge(owner(r.getKey()), r.getValue()[1], Double::sum);
    out.println(
        "by owner (package of the class; arrays, strings and JDK collections are \"JDK\": whoever holds them):");
    byOwner.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .filter(e -> Math.abs(e.getValue()) >= 1)
        .forEach(e -> out.printf(Locale.ROOT, "%10.1f  %s%n", e.getValue(), e.getKey()));
  }

  private static String owner(String className) {
    String[][] owners = {
      {"org.apache.pekko.persistence.", "Pekko persistence (EventSourcedBehavior, handlers)"},
      {"org.apache.pekko.cluster.sharding.", "Pekko sharding"},
      {"org.apache.pekko.actor.typed.", "Pekko typed actor (behaviors, interceptors)"},
      {"org.apache.pekko.", "Pekko actor, dispatch (cell, mailbox)"},
      {"org.roaringbitmap.", "RoaringBitmap objects (without their char[]/long[])"},
      {"dev.freshet.", "Freshet (State, features, …)"},
      {"scala.", "Scala collections and functions"},
    };
    for (String[] o : owners) if (className.startsWith(o[0])) return o[1];
    if (className.equals("[C")) return "char[] (RoaringBitmap containers)";
    return "JDK (arrays, strings, collections)";
  }

  /**
   * The live objects by class, after a full GC (the JVM's own GC.class_histogram diagnostic
   * command, in process): class → {instances, bytes}; returns the total bytes.
   */
  static long liveHistogram(Map<String, long[]> into) throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    long total = 0;
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":") && Character.isDigit(f[0].charAt(0))) {
        long[] v = into.computeIfAbsent(f[3], k -> new long[2]);
        v[0] += Long.parseLong(f[1]);
        v[1] += Long.parseLong(f[2]);
      } else if (f.length == 3 && f[0].equals("Total")) {
        total = Long.parseLong(f[2]);
      }
    }
    return total;
  }

  // ---- writing users
  // -----------------------------------------------------------------------------

  /** Impressions only: {@code seen} distinct items per user, in batches. */
  private static void populateImpressions(
      FreshetNode node, int[] pool, List<String> ids, int seen, Options o) throws Exception {
    forEachUser(ids, o, id -> impressions(node, pool, id, seen, o));
  }

  /** Impressions, then one batch of interactions on seen items (clicks, likes, dwells). */
  private static void populate(FreshetNode node, int[] pool, List<String> ids, int seen, Options o)
      throws Exception {
    forEachUser(
        ids,
        o,
        id -> {
          int[] items = impressions(node, pool, id, seen, o);
          Random random = new Random(id.hashCode() ^ o.seed());
          List<Interaction> events = new ArrayList<>();
          long now = System.currentTimeMillis();
          for (int i = 0; i < o.interactions(); i++) {
            int item = items[random.nextInt(items.length)];
            int kind = random.nextInt(10);
            InteractionType type =
                kind < 5
                    ? InteractionType.CLICK
                    : kind < 7 ? InteractionType.LIKE : InteractionType.DWELL;
            Long value = type == InteractionType.DWELL ? 15_000L + random.nextInt(105_000) : null;
            events.add(
                new Interaction(
                    item, type, now - (o.interactions() - i) * 1000L, null, value, null, null));
          }
          if (!events.isEmpty()) {
            user(node, id)
                .<UserEntity.EventsResult>askWithStatus(
                    r -> new UserEntity.RecordEvents(events, r), ASK)
                .toCompletableFuture()
                .get();
          }
        });
  }

  private static int[] impressions(FreshetNode node, int[] pool, String id, int seen, Options o)
      throws Exception {
    Random random = new Random(id.hashCode() ^ o.seed());
    int[] shuffled = pool.clone();
    for (int i = 0; i < seen; i++) {
      int j = i + random.nextInt(shuffled.length - i);
      int t = shuffled[i];
      shuffled[i] = shuffled[j];
      shuffled[j] = t;
    }
    int[] items = Arrays.copyOf(shuffled, seen);
    EntityRef<UserEntity.Command> ref = user(node, id);
    for (int from = 0; from < seen; from += o.batch()) {
      int[] batch = Arrays.copyOfRange(items, from, Math.min(seen, from + o.batch()));
      long at = System.currentTimeMillis();
      ref.<UserEntity.ImpressionsResult>askWithStatus(
              r -> new UserEntity.RecordImpressions(batch, at, r), ASK)
          .toCompletableFuture()
          .get();
    }
    return items;
  }

  interface UserTask {
    void run(String id) throws Exception;
  }

  private static void forEachUser(List<String> ids, Options o, UserTask task) throws Exception {
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Math.min(o.concurrency(), ids.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (String id : ids)
        futures.add(
            pool.submit(
                () -> {
                  task.run(id);
                  return null;
                }));
      for (Future<?> f : futures) f.get();
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- recovery
  // ----------------------------------------------------------------------------------

  private static UserEntity.UserStateView getState(FreshetNode node, String id) throws Exception {
    return user(node, id)
        .<UserEntity.UserStateView>askWithStatus(UserEntity.GetState::new, ASK)
        .toCompletableFuture()
        .get();
  }

  private static double getStateMillis(FreshetNode node, String id, Options o) throws Exception {
    long t = System.nanoTime();
    UserEntity.UserStateView state = getState(node, id);
    double ms = (System.nanoTime() - t) / 1e6;
    if (state.seen() == 0) throw new IllegalStateException("user " + id + " recovered empty");
    return ms;
  }

  private static void awaitPassivated(FreshetNode node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!node.residentUsers().isEmpty()) {
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("entities did not passivate");
      Thread.sleep(200);
    }
  }

  /**
   * What a recovery is made of, outside the entity: the two queries pekko-persistence-jdbc runs
   * (the latest snapshot; the events after it) timed over JDBC with every row fetched, and the
   * deserialization of what they return with the node's own serializers. Medians over up to 10
   * users of each group, passes 2 and 3 of 3.
   */
  private static void printRecoveryParts(
      FreshetNode node, EmbeddedDatabase db, Map<String, List<String>> groups, PrintStream out)
      throws Exception {
    org.apache.pekko.serialization.Serialization serialization =
        org.apache.pekko.serialization.SerializationExtension.get(node.system().classicSystem());
    out.println();
    out.println(
        "## Recovery parts (JDBC from this process, node's serializers; medians over up to 10 users, passes 2-3)");
    out.printf(
        Locale.ROOT,
        "%-26s %9s %9s %10s %7s %9s %10s%n",
        "group",
        "snap ms",
        "snap KiB",
        "snap de ms",
        "events",
        "evq ms",
        "ev de ms");
    try (Connection c = connect(db);
        PreparedStatement snap =
            c.prepareStatement(
                "SELECT sequence_number, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload"
                    + " FROM snapshot WHERE persistence_id = ? ORDER BY sequence_number DESC LIMIT 1");
        PreparedStatement events =
            c.prepareStatement(
                "SELECT event_ser_id, event_ser_manifest, event_payload FROM event_journal"
                    + " WHERE persistence_id = ? AND sequence_number > ? AND deleted = false"
                    + " ORDER BY sequence_number")) {
      for (var group : groups.entrySet()) {
        List<double[]> parts = new ArrayList<>();
        List<String> users = group.getValue().subList(0, Math.min(10, group.getValue().size()));
        for (int pass = 1; pass <= 3; pass++) {
          for (String user : users) {
            String pid = UserEntity.TYPE_KEY.name() + "|" + user;
            double[] part = new double[6];
            long t0 = System.nanoTime();
            snap.setString(1, pid);
            long from = 0;
            byte[] payload = null;
            int serId = 0;
            String manifest = null;
            try (ResultSet rs = snap.executeQuery()) {
              if (rs.next()) {
                from = rs.getLong(1);
                serId = rs.getInt(2);
                manifest = rs.getString(3);
                payload = rs.getBytes(4);
              }
            }
            long t1 = System.nanoTime();
            if (payload != null) serialization.deserialize(payload, serId, manifest).get();
            long t2 = System.nanoTime();
            events.setString(1, pid);
            events.setLong(2, from);
            List<Object[]> rows = new ArrayList<>();
            try (ResultSet rs = events.executeQuery()) {
              while (rs.next())
                rows.add(new Object[] {rs.getInt(1), rs.getString(2), rs.getBytes(3)});
            }
            long t3 = System.nanoTime();
            for (Object[] r : rows)
              serialization.deserialize((byte[]) r[2], (Integer) r[0], (String) r[1]).get();
            long t4 = System.nanoTime();
            part[0] = (t1 - t0) / 1e6;
            part[1] = payload == null ? 0 : payload.length / 1024.0;
            part[2] = (t2 - t1) / 1e6;
            part[3] = rows.size();
            part[4] = (t3 - t2) / 1e6;
            part[5] = (t4 - t3) / 1e6;
            if (pass > 1) parts.add(part);
          }
        }
        double[] m = new double[6];
        for (int i = 0; i < 6; i++) {
          final int col = i;
          m[i] = pct(sorted(parts.stream().map(a -> a[col]).toList()), 50);
        }
        out.printf(
            Locale.ROOT,
            "%-26s %9.2f %9.1f %10.2f %7.0f %9.2f %10.2f%n",
            group.getKey(),
            m[0],
            m[1],
            m[2],
            m[3],
            m[4],
            m[5]);
      }
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * With {@code -Dfootprint.jfr=FILE}, a JFR recording ("profile" settings) of the recovery rounds.
   */
  private static jdk.jfr.Recording startJfr() throws Exception {
    String file = System.getProperty("footprint.jfr");
    if (file == null) return null;
    jdk.jfr.Recording recording =
        new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
    recording.setDestination(Path.of(file));
    recording.start();
    return recording;
  }

  private static void stopJfr(jdk.jfr.Recording recording, PrintStream out) {
    if (recording == null) return;
    recording.stop();
    recording.close();
    out.println("JFR recording of the recovery rounds: " + System.getProperty("footprint.jfr"));
  }

  private static List<String> filter(List<String> ids, String prefix) {
    return ids.stream().filter(id -> id.startsWith(prefix)).toList();
  }

  private static Connection connect(EmbeddedDatabase db) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), "postgres", "");
  }

  private static int deleteSnapshots(EmbeddedDatabase db, List<String> users) throws SQLException {
    try (Connection c = connect(db);
        PreparedStatement st =
            c.prepareStatement("DELETE FROM snapshot WHERE persistence_id = ?")) {
      int n = 0;
      for (String u : users) {
        st.setString(1, UserEntity.TYPE_KEY.name() + "|" + u);
        n += st.executeUpdate();
      }
      return n;
    }
  }

  /** {journal rows, snapshot rows} of one user. */
  private static long[] journalRows(EmbeddedDatabase db, String user) throws SQLException {
    String pid = UserEntity.TYPE_KEY.name() + "|" + user;
    try (Connection c = connect(db)) {
      return new long[] {
        count(c, "SELECT count(*) FROM event_journal WHERE persistence_id = ?", pid),
        count(c, "SELECT count(*) FROM snapshot WHERE persistence_id = ?", pid)
      };
    }
  }

  private static long count(Connection c, String sql, String pid) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, pid);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // ---- report
  // ------------------------------------------------------------------------------------

  private static void printConditions(Options o, PrintStream out) {
    Runtime rt = Runtime.getRuntime();
    out.printf(
        Locale.ROOT,
        "# EntityFootprint: %d cores, max heap %d MiB, JVM %s %s, args %s%n",
        rt.availableProcessors(),
        rt.maxMemory() >> 20,
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        ManagementFactory.getRuntimeMXBean().getInputArguments());
    out.printf(
        Locale.ROOT,
        "# GCs: %s%n",
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(g -> g.getName()).toList());
    out.printf(
        Locale.ROOT,
        "# node in-process on an embedded PostgreSQL (same machine), read models off, snapshot-every %d (keep-snapshots as configured), %d items in the catalog%n",
        o.snapshotEvery(),
        o.items());
    out.printf(
        Locale.ROOT,
        "# heap: %,d + %,d users × %d seen (batches of %d); recovery: %d users per group, %d and %d seen + %d interactions, %d rounds%n",
        o.users(),
        o.users(),
        o.seen(),
        o.batch(),
        o.recoveryUsers(),
        o.recoverySeen(),
        o.smallSeen(),
        o.interactions(),
        o.rounds());
    out.printf(
        Locale.ROOT,
        "# heap histograms %d s after the last ask (its timeout task leaves Pekko's timer wheel)%n",
        o.settleSeconds());
  }

  private static double[] sorted(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a;
  }

  private static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
