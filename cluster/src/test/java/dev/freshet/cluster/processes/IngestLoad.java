package dev.freshet.cluster.processes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Impressions sent to every node the whole time, as a front-end would: each batch names items the
 * user has not been shown, carries an {@code Idempotency-Key}, and is retried (same key, the next
 * node) with backoff on a refused connection, a timeout, 5xx or 429. Keeps the ledger of what was
 * acknowledged and every attempt's outcome with its time, for the figures.
 */
final class IngestLoad implements AutoCloseable {

  private static final int ITEMS_PER_BATCH = 4;
  private static final int MAX_ATTEMPTS = 8;

  /**
   * One HTTP attempt: when it was sent and answered ({@link System#nanoTime()}), at which node,
   * whether the node answered 202, and otherwise how it failed.
   */
  record Attempt(long sentNanos, long atNanos, String node, boolean ok, String outcome) {}

  private final Supplier<List<NodeProcess>> nodes;
  private final List<String> users;
  private final int catalogSize;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ExecutorService workers;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> nextItem = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicLong batchesAcknowledged = new AtomicLong();
  private final AtomicLong batchesRetried = new AtomicLong();
  private final AtomicLong batchesAbandoned = new AtomicLong();
  private final AtomicInteger round = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();

  /**
   * {@code threads} senders over {@code users} users, items {@code demo-0..demo-(catalogSize-1)};
   * {@code nodes} answers the nodes to send to now (the test changes them as it stops and starts).
   */
  IngestLoad(Supplier<List<NodeProcess>> nodes, List<String> users, int catalogSize, int threads) {
    this.nodes = nodes;
    this.users = List.copyOf(users);
    this.catalogSize = catalogSize;
    for (String u : users) {
      acknowledged.put(u, ConcurrentHashMap.newKeySet());
      nextItem.put(u, new AtomicInteger());
    }
    workers = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      int offset = t;
      workers.submit(() -> send(offset));
    }
  }

  private void send(int offset) {
    int i = offset;
    while (running.get()) {
      String user = users.get(Math.floorMod(i, users.size()));
      i += 7;
      // a user's batches one at a time: a user's next items come after its last batch's answer
      synchronized (nextItem.get(user)) {
        batch(user);
      }
    }
  }

  private void batch(String user) {
    int first = nextItem.get(user).getAndAdd(ITEMS_PER_BATCH);
    if (first + ITEMS_PER_BATCH > catalogSize) {
      NodeProcess.sleep(50); // this user has seen the whole catalog
      return;
    }
    List<String> items = new ArrayList<>();
    for (int k = first; k < first + ITEMS_PER_BATCH; k++) items.add("demo-" + k);
    String body =
        "{\"userId\":\""
            + user
            + "\",\"itemIds\":["
            + String.join(",", items.stream().map(s -> "\"" + s + "\"").toList())
            + "],\"surface\":\"processes-test\"}";
    String key = UUID.randomUUID().toString();
    long backoff = 100;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) batchesRetried.incrementAndGet();
      List<NodeProcess> targets = nodes.get();
      NodeProcess node = targets.get(Math.floorMod(round.getAndIncrement(), targets.size()));
      String outcome;
      long sent = System.nanoTime();
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/impressions"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 202) {
          attempts.add(new Attempt(sent, System.nanoTime(), node.name, true, "202"));
          acknowledged.get(user).addAll(items);
          batchesAcknowledged.incrementAndGet();
          return;
        }
        outcome = response.statusCode() + " " + errorCode(response.body());
        int status = response.statusCode();
        // 409: the same key is still being applied (a timed-out attempt); 429 and 5xx: later
        if (status < 500 && status != 429 && status != 409) {
          attempts.add(new Attempt(sent, System.nanoTime(), node.name, false, outcome));
          refusals.add(outcome + " for " + body + " at " + node.name);
          return;
        }
      } catch (IOException e) {
        outcome = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      attempts.add(new Attempt(sent, System.nanoTime(), node.name, false, outcome));
      NodeProcess.sleep(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
    batchesAbandoned.incrementAndGet();
  }

  private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([a-z_]+)\"");

  /** The API error's code ("unavailable", "idempotency_key_in_flight", …), or the body's start. */
  private static String errorCode(String body) {
    Matcher m = ERROR_CODE.matcher(body);
    if (m.find()) return m.group(1);
    return body.length() > 80 ? body.substring(0, 80) + "…" : body;
  }

  /** Batches a node refused as bad input (4xx other than 409 and 429): none may be. */
  List<String> refusals() {
    return List.copyOf(refusals);
  }

  /** Every acknowledged item per user. */
  Map<String, Set<String>> acknowledged() {
    return acknowledged;
  }

  long acknowledgedImpressions() {
    return acknowledged.values().stream().mapToLong(Set::size).sum();
  }

  long batchesAcknowledged() {
    return batchesAcknowledged.get();
  }

  long batchesRetried() {
    return batchesRetried.get();
  }

  /** Batches that failed every attempt: a client that retries would have seen them fail. */
  long batchesAbandoned() {
    return batchesAbandoned.get();
  }

  /** The attempts made between two instants ({@link System#nanoTime()}). */
  List<Attempt> attemptsBetween(long fromNanos, long toNanos) {
    return attempts.stream()
        .filter(a -> a.atNanos() >= fromNanos && a.atNanos() < toNanos)
        .toList();
  }

  @Override
  public void close() {
    running.set(false);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(2, TimeUnit.MINUTES)) workers.shutdownNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
