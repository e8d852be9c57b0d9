package dev.freshet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

/**
 * {@code POST /v1/impressions} with {@code batch} distinct random catalog ids for a random user. A
 * 2xx answer means the batch is durable, so every id in it counts as a durable impression.
 */
final class IngestWorkload implements Workload {

  static final BenchReport.Target TARGET = new BenchReport.Target("impressions", 100_000, 50);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Request body; field names are the API's. */
  record ImpressionBatch(String userId, List<String> itemIds) {}

  private final BenchConfig config;
  private final String[] itemIds;
  private final LongAdder impressions = new LongAdder();
  private final LongAdder recorded = new LongAdder();
  private final LongAdder duplicates = new LongAdder();

  IngestWorkload(BenchConfig config) {
    this.config = config;
    this.itemIds = new String[config.items()];
    for (int i = 0; i < itemIds.length; i++) {
      itemIds[i] = config.itemsPrefix() + i;
    }
  }

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public BenchReport.Target target() {
    return TARGET;
  }

  @Override
  public Map<String, Object> conditions() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("items", config.items());
    c.put("itemsPrefix", config.itemsPrefix());
    c.put("batch", config.batch());
    c.put("usersPrefix", config.usersPrefix());
    return c;
  }

  @Override
  public HttpConnection.Request nextRequest() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String userId = config.usersPrefix() + random.nextInt(config.users());
    int[] picked = pickDistinct(random, itemIds.length, config.batch());
    String[] ids = new String[picked.length];
    for (int i = 0; i < picked.length; i++) {
      ids[i] = itemIds[picked[i]];
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(new ImpressionBatch(userId, List.of(ids)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpConnection.Request.postJson("/v1/impressions", body);
  }

  /** {@code count} distinct ints in [0, bound), uniformly chosen (Floyd's algorithm, O(count)). */
  static int[] pickDistinct(RandomGenerator random, int bound, int count) {
    Set<Integer> chosen = new HashSet<>(count * 2);
    int[] picked = new int[count];
    int n = 0;
    for (int j = bound - count; j < bound; j++) {
      int t = random.nextInt(j + 1);
      int value = chosen.contains(t) ? j : t;
      chosen.add(value);
      picked[n++] = value;
    }
    return picked;
  }

  @Override
  public boolean accept(HttpConnection.Response response, boolean counted) {
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      return false;
    }
    if (answer == null || !answer.path("recorded").isIntegralNumber()) {
      return false;
    }
    if (counted) {
      impressions.add(config.batch());
      recorded.add(answer.path("recorded").asLong());
      duplicates.add(answer.path("duplicates").asLong());
    }
    return true;
  }

  @Override
  public Map<String, Long> counters() {
    Map<String, Long> c = new LinkedHashMap<>();
    c.put("impressions", impressions.sum());
    c.put("recorded", recorded.sum());
    c.put("duplicates", duplicates.sum());
    return c;
  }
}
