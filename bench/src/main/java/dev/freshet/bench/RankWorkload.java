package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET /v1/users/{id}/recommendations?k=K} for a random user. A 200 with a non-empty {@code
 * items} list is a ranking; an empty list is an invalid response; fewer than k items is counted as
 * "short".
 */
final class RankWorkload implements Workload {

  static final BenchReport.Target TARGET = new BenchReport.Target("rankings", 5_000, 10);

  /** The SPEC's ranking target is stated for this pool size and this many seen items per user. */
  static final int SPEC_POOL = 10_000;

  static final int SPEC_SEEN = 1_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchConfig config;
  private final LongAdder rankings = new LongAdder();
  private final LongAdder shortRankings = new LongAdder();
  private final LongAdder emptyRankings = new LongAdder();
  private final LongAdder itemsReturned = new LongAdder();

  RankWorkload(BenchConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "rank";
  }

  @Override
  public BenchReport.Target target() {
    return TARGET;
  }

  @Override
  public Map<String, Object> conditions() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("k", config.k());
    c.put("usersPrefix", config.usersPrefix());
    return c;
  }

  @Override
  public HttpConnection.Request nextRequest() {
    int user = ThreadLocalRandom.current().nextInt(config.users());
    return HttpConnection.Request.get(
        "/v1/users/" + config.usersPrefix() + user + "/recommendations?k=" + config.k());
  }

  @Override
  public boolean accept(HttpConnection.Response response, boolean counted) {
    JsonNode items;
    try {
      items = JSON.readTree(response.body()).path("items");
    } catch (IOException e) {
      return false;
    }
    if (!items.isArray() || items.size() > config.k()) {
      return false;
    }
    if (items.isEmpty()) {
      if (counted) {
        emptyRankings.increment();
      }
      return false;
    }
    if (counted) {
      rankings.increment();
      itemsReturned.add(items.size());
      if (items.size() < config.k()) {
        shortRankings.increment();
      }
    }
    return true;
  }

  @Override
  public Map<String, Long> counters() {
    Map<String, Long> c = new LinkedHashMap<>();
    c.put("rankings", rankings.sum());
    c.put("itemsReturned", itemsReturned.sum());
    c.put("short", shortRankings.sum());
    c.put("empty", emptyRankings.sum());
    return c;
  }

  /**
   * Reads {@code GET /v1/users/{id}/state} of {@code sample} random users and returns the mean
   * number of seen items (rounded down), the smallest number of seen items and the pool size, so
   * the report can say how the run's conditions compare with the SPEC's. Returns an empty map if
   * the endpoint is unavailable.
   */
  Map<String, Object> sampleUserState(HttpConnection connection, int sample) {
    Map<String, Object> result = new LinkedHashMap<>();
    long seenSum = 0;
    long poolMax = 0;
    long seenMin = Long.MAX_VALUE;
    int answered = 0;
    for (int i = 0; i < sample; i++) {
      int user = ThreadLocalRandom.current().nextInt(config.users());
      try {
        HttpConnection.Response response =
            connection.send(
                HttpConnection.Request.get("/v1/users/" + config.usersPrefix() + user + "/state"));
        if (response.status() != 200) {
          continue;
        }
        JsonNode state = JSON.readTree(response.body());
        long seen = count(state.path("seen"));
        seenSum += seen;
        seenMin = Math.min(seenMin, seen);
        poolMax = Math.max(poolMax, count(state.path("poolSize")));
        answered++;
      } catch (IOException e) {
        // treat like an unanswered sample
      }
    }
    if (answered > 0) {
      result.put("stateSampledUsers", answered);
      result.put("meanSeenItems", seenSum / answered);
      result.put("minSeenItems", seenMin);
      result.put("poolSize", poolMax);
    }
    return result;
  }

  /** A count field that may be a number or an array of ids. */
  static long count(JsonNode node) {
    return node.isArray() ? node.size() : node.asLong(0);
  }
}
