package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus rule file and {@code GET /v1/admin/alerts} say the same thing: the file is a valid
 * rule file, the node evaluates exactly its alerts with its thresholds, every metric its
 * expressions use is in a real scrape, and on a real node a tiny catalog that ten users have almost
 * exhausted — shown twice over — makes pool exhaustion, the freshness drop and duplicate attempts
 * fire, and new items make the first two stop.
 */
class AlertsTest {

  private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
  private static final Pattern DURATION = Pattern.compile("(\\d+(ms|s|m|h|d|w|y))+");
  private static final Pattern METRIC =
      Pattern.compile("\\b(freshet_[a-z0-9_]+|jvm_[a-z0-9_]+|process_[a-z0-9_]+)\\b");
  private static final int USERS = 10;

  private static TestNodes.Standalone node;
  private static Api api;
  private static Map<String, Map<String, Object>> rules;

  @BeforeAll
  static void start() throws IOException {
    rules = readRules();
    node =
        TestNodes.standalone(
            Map.of(
                // the conditions are produced on purpose: no waiting for them to hold
                "freshet.alerts.pool-exhaustion.for", "0s",
                "freshet.alerts.freshness-drop.for", "0s",
                "freshet.alerts.duplicate-impressions.for", "0s",
                // users' pool-low demand waits for its window, so no new item arrives unasked
                "freshet.pool.window", "10m"));
    api = node.api();
    // the whole active pool of both tests (they share the node): 20 items
    assertThat(api.post("/v1/items", Api.items("tiny", 20, 4, "active")).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  /**
   * The rule file, strictly: groups of rules that have exactly Prometheus' fields; by alert name.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> readRules() throws IOException {
    Path file = ruleFile();
    Object root;
    try (InputStream in = Files.newInputStream(file)) {
      root = new Yaml().load(in);
    }
    assertThat(root).isInstanceOf(Map.class);
    assertThat(((Map<String, Object>) root).keySet()).containsExactly("groups");
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    for (Object g : (List<Object>) ((Map<String, Object>) root).get("groups")) {
      Map<String, Object> group = (Map<String, Object>) g;
      assertThat(group.keySet()).containsExactlyInAnyOrder("name", "rules");
      assertThat(group.get("name")).isInstanceOf(String.class);
      for (Object r : (List<Object>) group.get("rules")) {
        Map<String, Object> rule = (Map<String, Object>) r;
        assertThat(rule.keySet())
            .containsExactlyInAnyOrder("alert", "expr", "for", "labels", "annotations");
        String name = (String) rule.get("alert");
        assertThat(name).matches("[A-Za-z_][A-Za-z0-9_]*");
        assertThat((String) rule.get("expr")).isNotBlank();
        assertThat(String.valueOf(rule.get("for"))).matches(DURATION);
        Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
        assertThat(SEVERITIES).contains((String) labels.get("severity"));
        Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
        assertThat(annotations).containsKeys("summary", "description", "threshold");
        Double.parseDouble((String) annotations.get("threshold"));
        assertThat(byName.put(name, rule)).as("alert %s twice", name).isNull();
      }
    }
    return byName;
  }

  private static Path ruleFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("k8s/prometheus/freshet-alerts.yml");
      if (Files.isRegularFile(candidate)) return candidate;
    }
    throw new AssertionError(
        "k8s/prometheus/freshet-alerts.yml not found above " + Path.of("").toAbsolutePath());
  }

  private static Map<String, JsonNode> alerts() {
    Api.Response r = api.get("/v1/admin/alerts");
    assertThat(r.status()).isEqualTo(200);
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    r.body().path("alerts").forEach(a -> byName.put(a.path("name").asText(), a));
    return byName;
  }

  /** Prometheus' duration text ("15m", "0s") in seconds. */
  private static long seconds(String duration) {
    return ConfigFactory.parseString("d = " + duration).getDuration("d").toSeconds();
  }

  @Test
  @SuppressWarnings("unchecked")
  void theNodeEvaluatesTheRuleFilesAlertsWithTheirThresholds() {
    // the shipped defaults, not this test's node overrides
    Config defaults = ConfigFactory.load();
    Map<String, JsonNode> live = alerts();
    assertThat(live.keySet()).containsExactlyInAnyOrderElementsOf(rules.keySet());
    for (var e : rules.entrySet()) {
      Map<String, Object> rule = e.getValue();
      Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
      JsonNode alert = live.get(e.getKey());
      String expr = (String) rule.get("expr");
      Config config = defaults.getConfig(alert.path("config").asText());
      double threshold = Double.parseDouble((String) annotations.get("threshold"));
      assertThat(alert.path("threshold").asDouble())
          .as(e.getKey())
          .isEqualTo(threshold)
          .isEqualTo(config.getDouble("threshold"));
      assertThat(alert.path("severity").asText())
          .as(e.getKey())
          .isEqualTo(((Map<String, Object>) rule.get("labels")).get("severity"));
      assertThat(seconds(String.valueOf(rule.get("for"))))
          .as(e.getKey())
          .isEqualTo(config.getDuration("for").toSeconds());
      // the comparison the node makes, with the threshold, is the expression's
      assertThat(expr.replaceAll("\\s+", " "))
          .as(e.getKey())
          .contains(alert.path("comparison").asText() + " " + annotations.get("threshold"));
      // a minimum volume, where there is one, is the expression's too
      List<String> minimums =
          config.root().keySet().stream().filter(k -> k.startsWith("min-")).toList();
      if (minimums.isEmpty()) {
        assertThat(annotations).as(e.getKey()).doesNotContainKey("min_volume");
      } else {
        assertThat(minimums).hasSize(1);
        String min = (String) annotations.get("min_volume");
        assertThat(Double.parseDouble(min))
            .as(e.getKey())
            .isEqualTo(config.getDouble(minimums.get(0)));
        assertThat(expr.replaceAll("\\s+", " ")).as(e.getKey()).contains(">= " + min);
      }
      assertThat(alert.path("state").asText()).isIn("ok", "pending", "firing");
      assertThat(alert.path("description").asText()).isNotBlank();
    }
  }

  @Test
  void everyMetricTheRulesUseIsInARealScrape() throws Exception {
    Set<String> used = new TreeSet<>();
    for (Map<String, Object> rule : rules.values()) {
      Matcher m = METRIC.matcher((String) rule.get("expr"));
      while (m.find()) used.add(m.group(1));
    }
    assertThat(used)
        .contains(
            "freshet_freshness_users",
            "freshet_journal_write_seconds_bucket",
            "freshet_ingest_batches_total",
            "freshet_pipeline_dead_letters_total");
    // series appear with their first sample: a write, an impression, an error, a ranking
    assertThat(
            api.post("/v1/impressions", Api.impressions("scraper", Api.ids("tiny", 0, 2))).status())
        .isEqualTo(202);
    assertThat(api.get("/v1/items/not-there").status()).isEqualTo(404);
    assertThat(api.get("/v1/users/scraper/recommendations?k=2").status()).isEqualTo(200);
    List<String> missing = new ArrayList<>();
    // the read models' figures come from the pipeline monitor's first sample of the database
    Shards.awaitTrue(
        "every metric of the rules in /metrics",
        Duration.ofSeconds(20),
        () -> {
          PrometheusText scrape = PrometheusText.parse(api.text("/metrics"));
          missing.clear();
          used.stream().filter(name -> !scrape.hasSample(name)).forEach(missing::add);
          return missing.isEmpty();
        });
    assertThat(missing).isEmpty();
  }

  @Test
  void exhaustedPoolsAndRepeatsFireAndNewItemsEndTheExhaustion() throws Exception {
    // each reader is shown 17 of the 20 items (85 %), then the same 17 twice more
    List<String> shown = Api.ids("tiny", 0, 17);
    for (int round = 0; round < 3; round++) {
      for (int u = 0; u < USERS; u++) {
        assertThat(api.post("/v1/impressions", Api.impressions("reader-" + u, shown)).status())
            .isEqualTo(202);
      }
    }

    Map<String, JsonNode> firing = alerts();
    JsonNode exhaustion = firing.get("FreshetPoolExhaustion");
    assertThat(exhaustion.path("state").asText()).isEqualTo("firing");
    // every reader has 3 unseen, fewer than 5 (other tests' users may be resident too)
    assertThat(exhaustion.path("value").asDouble()).isGreaterThanOrEqualTo(USERS);
    assertThat(exhaustion.path("activeSince").isTextual()).isTrue();

    JsonNode freshness = firing.get("FreshetFreshnessDrop");
    assertThat(freshness.path("state").asText()).as(freshness.toString()).isEqualTo("firing");
    assertThat(freshness.path("value").asDouble()).isLessThan(0.5);

    // 2 × 170 repeats of 510 impressions (and the other test's 2 first-time ones, if it ran first)
    JsonNode duplicates = firing.get("FreshetDuplicateImpressions");
    assertThat(duplicates.path("state").asText()).as(duplicates.toString()).isEqualTo("firing");
    assertThat(duplicates.path("value").asDouble()).isGreaterThan(0.5);

    // what was not produced does not fire
    assertThat(firing.get("FreshetIngestBatchFailures").path("state").asText()).isEqualTo("ok");
    assertThat(firing.get("FreshetWriteBehindDrops").path("state").asText()).isEqualTo("ok");
    assertThat(firing.get("FreshetHttpServerErrors").path("state").asText()).isEqualTo("ok");
    assertThat(firing.get("FreshetReadModelDeadLetters").path("state").asText()).isEqualTo("ok");
    // the endpoint lists what fires first
    Api.Response body = api.get("/v1/admin/alerts");
    assertThat(body.body().path("firing").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(body.body().path("alerts").get(0).path("state").asText()).isEqualTo("firing");

    // 40 new items: each reader has 43 of 60 unseen once they next ask for something
    assertThat(api.post("/v1/items", Api.items("more", 40, 4, "active")).status()).isEqualTo(200);
    for (int u = 0; u < USERS; u++) {
      assertThat(api.get("/v1/users/reader-" + u + "/recommendations?k=5").status()).isEqualTo(200);
    }
    Map<String, JsonNode> after = alerts();
    assertThat(after.get("FreshetPoolExhaustion").path("value").asDouble()).isZero();
    assertThat(after.get("FreshetPoolExhaustion").path("state").asText()).isEqualTo("ok");
    assertThat(after.get("FreshetPoolExhaustion").path("activeSince").isNull()).isTrue();
    assertThat(after.get("FreshetFreshnessDrop").path("state").asText()).isEqualTo("ok");
  }
}
