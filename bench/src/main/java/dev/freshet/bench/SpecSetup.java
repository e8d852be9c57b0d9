package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The unmeasured setup of {@code rank-spec}: uploads the {@link SpecData} catalog, records every
 * user's seen items as impressions and their warm-up events, with at most {@code
 * --setup-concurrency} requests in flight; then {@link #verify} reads a few users' {@code /state}.
 * A request answered 429 or 5xx, or failing with an I/O error, is retried twice; any other failure
 * stops the setup.
 */
final class SpecSetup {

  /** Users handled by one setup task: their impressions, then their events packed together. */
  static final int USERS_PER_TASK = 25;

  static final int ATTEMPTS = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The setup could not be completed; the message says which request failed and how. */
  static final class SetupException extends Exception {
    SetupException(String message) {
      super(message);
    }
  }

  /**
   * What {@code GET /v1/users/{id}/state} said about one user; {@code status} is 0 on an I/O error.
   */
  record UserCheck(
      String userId,
      int status,
      long seen,
      long poolSize,
      long interactions,
      int categories,
      boolean hasVector) {

    /**
     * Reads a state body; interactions are the non-impression ones in {@code
     * features.interactions}.
     */
    static UserCheck of(String userId, int status, JsonNode state) {
      if (status != 200 || state == null) {
        return new UserCheck(userId, status, 0, 0, 0, 0, false);
      }
      JsonNode features = state.path("features");
      long interactions = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = features.path("interactions").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals("impression")) {
          interactions += e.getValue().asLong(0);
        }
      }
      return new UserCheck(
          userId,
          status,
          RankWorkload.count(state.path("seen")),
          RankWorkload.count(state.path("poolSize")),
          interactions,
          features.path("categoryAffinity").size(),
          features.path("hasVector").asBoolean(false));
    }

    String line() {
      if (status != 200) {
        return userId
            + ": /state answered "
            + (status == 0 ? "nothing (I/O error)" : String.valueOf(status));
      }
      return String.format(
          Locale.ROOT,
          "%s: seen %s, poolSize %s, interactions %s, categories with affinity %d, "
              + "user vector %s",
          userId,
          BenchReport.number(seen),
          BenchReport.number(poolSize),
          BenchReport.number(interactions),
          categories,
          hasVector ? "yes" : "no");
    }
  }

  /** The sampled users and what is wrong with them (empty when they are as set up). */
  record Verification(List<UserCheck> users, List<String> problems) {
    boolean ok() {
      return problems.isEmpty();
    }

    long minSeen() {
      return answered().mapToLong(UserCheck::seen).min().orElse(0);
    }

    long meanSeen() {
      return answered().count() == 0
          ? 0
          : answered().mapToLong(UserCheck::seen).sum() / answered().count();
    }

    long poolSize() {
      return answered().mapToLong(UserCheck::poolSize).max().orElse(0);
    }

    private Stream<UserCheck> answered() {
      return users.stream().filter(u -> u.status() == 200);
    }
  }

  private final BenchConfig config;
  private final SpecData data;
  private final Supplier<HttpConnection> connections;
  private final PrintStream out;
  private final PrintStream progress;

  private final LongAdder itemRequests = new LongAdder();
  private final LongAdder itemsUpserted = new LongAdder();
  private final LongAdder impressionRequests = new LongAdder();
  private final LongAdder impressionsSent = new LongAdder();
  private final LongAdder recorded = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder eventRequests = new LongAdder();
  private final LongAdder eventsSent = new LongAdder();
  private final LongAdder eventsAccepted = new LongAdder();
  private final LongAdder usersDone = new LongAdder();

  SpecSetup(
      BenchConfig config,
      SpecData data,
      Supplier<HttpConnection> connections,
      PrintStream out,
      PrintStream progress) {
    this.config = config;
    this.data = data;
    this.connections = connections;
    this.out = out;
    this.progress = progress;
  }

  /** Runs the setup; returns its figures for the RESULT line. */
  ObjectNode run() throws SetupException, InterruptedException {
    int pool = data.pool();
    int users = config.users();
    out.printf(
        Locale.ROOT,
        "setup: catalog of %s items %s0..%s%d (%d categories, seed %d), %s users %s0..%s%d "
            + "with %s seen items and %s events each, %d requests in flight%n",
        BenchReport.number(pool),
        config.itemsPrefix(),
        config.itemsPrefix(),
        pool - 1,
        SpecData.CATEGORIES,
        config.seed(),
        BenchReport.number(users),
        config.usersPrefix(),
        config.usersPrefix(),
        users - 1,
        BenchReport.number(config.seen()),
        BenchReport.number(config.interactions()),
        config.setupConcurrency());
    ScheduledExecutorService ticker = startProgress();
    long start = System.nanoTime();
    long itemsDone;
    try {
      int itemTasks = (pool + SpecData.MAX_ITEMS_PER_REQUEST - 1) / SpecData.MAX_ITEMS_PER_REQUEST;
      parallel(
          "catalog",
          itemTasks,
          (connection, task) -> {
            int from = task * SpecData.MAX_ITEMS_PER_REQUEST;
            int to = Math.min(pool, from + SpecData.MAX_ITEMS_PER_REQUEST);
            for (byte[] body : data.itemBodies(from, to)) {
              JsonNode answer =
                  send(
                      connection,
                      HttpConnection.Request.postJson("/v1/items", body),
                      "POST /v1/items");
              itemRequests.increment();
              itemsUpserted.add(answer.path("upserted").asLong());
            }
          });
      if (itemsUpserted.sum() != pool) {
        throw new SetupException(
            "the node upserted " + itemsUpserted.sum() + " of " + pool + " items");
      }
      itemsDone = System.nanoTime();
      out.printf(
          Locale.ROOT,
          "setup: %s items upserted in %s requests: %s s%n",
          BenchReport.number(pool),
          BenchReport.number(itemRequests.sum()),
          seconds(itemsDone - start));

      int userTasks = (users + USERS_PER_TASK - 1) / USERS_PER_TASK;
      parallel(
          "users",
          userTasks,
          (connection, task) -> {
            int from = task * USERS_PER_TASK;
            int to = Math.min(users, from + USERS_PER_TASK);
            List<SpecData.Event> events = new ArrayList<>();
            for (int u = from; u < to; u++) {
              SpecData.UserPlan plan = data.user(u, config.seen(), config.interactions());
              for (byte[] body : SpecData.impressionBodies(plan.userId(), plan.seenItemIds())) {
                JsonNode answer =
                    send(
                        connection,
                        HttpConnection.Request.postJson("/v1/impressions", body),
                        "POST /v1/impressions for " + plan.userId());
                impressionRequests.increment();
                recorded.add(answer.path("recorded").asLong());
                duplicates.add(answer.path("duplicates").asLong());
              }
              impressionsSent.add(plan.seenItemIds().size());
              events.addAll(plan.events());
            }
            for (byte[] body : SpecData.eventBodies(events)) {
              JsonNode answer =
                  send(
                      connection,
                      HttpConnection.Request.postJson("/v1/events", body),
                      "POST /v1/events");
              eventRequests.increment();
              eventsAccepted.add(answer.path("accepted").asLong());
            }
            eventsSent.add(events.size());
            usersDone.add(to - from);
          });
    } finally {
      ticker.shutdownNow();
    }
    if (eventsAccepted.sum() != eventsSent.sum()) {
      throw new SetupException(
          "the node accepted " + eventsAccepted.sum() + " of " + eventsSent.sum() + " events");
    }
    long end = System.nanoTime();
    out.printf(
        Locale.ROOT,
        "setup: %s impressions in %s requests (recorded %s, duplicates %s), %s events in %s "
            + "requests (accepted %s): %s s%n",
        BenchReport.number(impressionsSent.sum()),
        BenchReport.number(impressionRequests.sum()),
        BenchReport.number(recorded.sum()),
        BenchReport.number(duplicates.sum()),
        BenchReport.number(eventsSent.sum()),
        BenchReport.number(eventRequests.sum()),
        BenchReport.number(eventsAccepted.sum()),
        seconds(end - itemsDone));
    if (duplicates.sum() > 0) {
      out.println(
          "setup: duplicates mean these users had seen these items before (a setup ran on this node "
              + "already); their events were recorded again");
    }
    out.printf(Locale.ROOT, "setup: done in %s s (not measured)%n", seconds(end - start));

    ObjectNode figures = JSON.createObjectNode();
    figures.put("pool", pool);
    figures.put("categories", SpecData.CATEGORIES);
    figures.put("embeddingDimension", SpecData.DIMENSION);
    figures.put("seed", config.seed());
    figures.put("users", users);
    figures.put("seenPerUser", config.seen());
    figures.put("interactionsPerUser", config.interactions());
    figures.put("concurrency", config.setupConcurrency());
    figures.put("itemRequests", itemRequests.sum());
    figures.put("itemsUpserted", itemsUpserted.sum());
    figures.put("impressionRequests", impressionRequests.sum());
    figures.put("impressions", impressionsSent.sum());
    figures.put("recorded", recorded.sum());
    figures.put("duplicates", duplicates.sum());
    figures.put("eventRequests", eventRequests.sum());
    figures.put("eventsAccepted", eventsAccepted.sum());
    figures.put("catalogS", round((itemsDone - start) / 1e9));
    figures.put("usersS", round((end - itemsDone) / 1e9));
    figures.put("totalS", round((end - start) / 1e9));
    return figures;
  }

  /**
   * Reads {@code /state} of {@code sample} users spread over the range (the first and last
   * included).
   */
  Verification verify(int sample) {
    List<UserCheck> checks = new ArrayList<>();
    try (HttpConnection connection = connections.get()) {
      for (int u : spread(config.users(), sample)) {
        String userId = config.usersPrefix() + u;
        try {
          HttpConnection.Response response =
              connection.send(HttpConnection.Request.get("/v1/users/" + userId + "/state"));
          checks.add(
              UserCheck.of(
                  userId,
                  response.status(),
                  response.status() == 200 ? JSON.readTree(response.body()) : null));
        } catch (IOException e) {
          checks.add(UserCheck.of(userId, 0, null));
        }
      }
    }
    return new Verification(
        List.copyOf(checks),
        problems(checks, config.items(), config.seen(), config.interactions() > 0));
  }

  /**
   * What is wrong with the sampled users, given the pool, seen items and whether features should be
   * warm.
   */
  static List<String> problems(List<UserCheck> checks, long pool, long seen, boolean warm) {
    List<String> problems = new ArrayList<>();
    if (checks.isEmpty()) {
      problems.add("no users sampled");
    }
    for (UserCheck c : checks) {
      if (c.status() != 200) {
        problems.add(c.userId() + ": /state answered " + c.status());
        continue;
      }
      if (c.poolSize() != pool) {
        problems.add(
            c.userId()
                + ": poolSize "
                + c.poolSize()
                + " instead of "
                + pool
                + (c.poolSize() > pool
                    ? " (other items in the catalog: start the node with FRESHET_DEMO_CATALOG=off"
                        + " on a fresh FRESHET_DATA_DIR)"
                    : ""));
      }
      if (c.seen() < seen) {
        problems.add(c.userId() + ": seen " + c.seen() + " < " + seen);
      }
      if (warm && c.interactions() == 0) {
        problems.add(c.userId() + ": no interactions recorded (features not warm)");
      }
    }
    return problems;
  }

  /** {@code sample} distinct indexes in [0, n), evenly spread, first and last included. */
  static int[] spread(int n, int sample) {
    int k = Math.min(n, sample);
    if (k <= 0) {
      return new int[0];
    }
    if (k == 1) {
      return new int[] {0};
    }
    int[] out = new int[k];
    for (int j = 0; j < k; j++) {
      out[j] = (int) Math.round(j * (n - 1) / (double) (k - 1));
    }
    return out;
  }

  @FunctionalInterface
  private interface Task {
    void run(HttpConnection connection, int index) throws SetupException, InterruptedException;
  }

  /**
   * Runs tasks 0 .. tasks-1 on up to --setup-concurrency threads, each with its own connection;
   * stops at the first failure.
   */
  private void parallel(String phase, int tasks, Task task)
      throws SetupException, InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < Math.min(config.setupConcurrency(), tasks); t++) {
      Thread thread =
          new Thread(
              () -> {
                try (HttpConnection connection = connections.get()) {
                  int index;
                  while (failure.get() == null && (index = next.getAndIncrement()) < tasks) {
                    task.run(connection, index);
                  }
                } catch (SetupException | RuntimeException e) {
                  failure.compareAndSet(null, String.valueOf(e.getMessage()));
                } catch (InterruptedException e) {
                  failure.compareAndSet(null, "interrupted");
                }
              },
              "bench-setup-" + phase + "-" + t);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (failure.get() != null) {
      throw new SetupException(phase + ": " + failure.get());
    }
  }

  /** Sends with retries on I/O errors, 429 and 5xx; returns the parsed 2xx body. */
  private static JsonNode send(
      HttpConnection connection, HttpConnection.Request request, String what)
      throws SetupException, InterruptedException {
    String problem = what + ": not sent";
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) {
        Thread.sleep(500L * (attempt - 1));
      }
      HttpConnection.Response response;
      try {
        response = connection.send(request);
      } catch (IOException e) {
        problem = what + " failed: " + e;
        continue;
      }
      if (response.status() / 100 == 2) {
        try {
          return JSON.readTree(response.body());
        } catch (IOException e) {
          throw new SetupException(
              what + " answered " + response.status() + " with a body that is not JSON");
        }
      }
      problem = what + " answered " + response.status() + ": " + brief(response.body());
      if (response.status() != 429 && response.status() / 100 != 5) {
        break;
      }
    }
    throw new SetupException(problem);
  }

  private ScheduledExecutorService startProgress() {
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-setup-progress");
              t.setDaemon(true);
              return t;
            });
    long start = System.nanoTime();
    ticker.scheduleAtFixedRate(
        () ->
            progress.printf(
                Locale.ROOT,
                "[setup] %3ds: items %s/%s, users %s/%s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                BenchReport.number(itemsUpserted.sum()),
                BenchReport.number(data.pool()),
                BenchReport.number(usersDone.sum()),
                BenchReport.number(config.users())),
        5,
        5,
        TimeUnit.SECONDS);
    return ticker;
  }

  private static String brief(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8).strip();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  private static String seconds(long nanos) {
    return BenchReport.number(round(nanos / 1e9));
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
