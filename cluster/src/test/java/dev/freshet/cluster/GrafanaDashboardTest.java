package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard ({@code k8s/grafana/freshet-dashboard.json}) and every Prometheus rule file
 * ({@code k8s/prometheus/*.yml}) name only metrics a real node exposes: a node on its own
 * PostgreSQL gets a little traffic, its {@code /metrics} is scraped over HTTP, and every metric
 * name in every panel's PromQL (and the dashboard's variables, and every rule's expression) must be
 * a sample name of that scrape (histograms as their {@code _bucket}, {@code _count} or {@code
 * _sum}, counters with {@code _total}).
 */
class GrafanaDashboardTest {

  private static final Path ROOT = root();
  private static final Path DASHBOARD = ROOT.resolve("k8s/grafana/freshet-dashboard.json");

  private static TestNodes.Standalone node;
  private static Api api;

  @BeforeAll
  static void start() {
    node = TestNodes.standalone(Map.of("freshet.metrics.entities-interval", "500ms"));
    api = node.api();
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  // ---------------------------------------------------------------- the dashboard's own shape

  @Test
  void theDashboardIsWellFormedAndProvisionedForGrafanasSidecar() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.path("uid").asText()).matches("[a-z0-9-]{1,40}");
    Set<Integer> ids = new HashSet<>();
    int queried = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt()))
          .as("panel id %s once", panel.path("id"))
          .isTrue();
      if (panel.path("type").asText().equals("row")) continue;
      String title = panel.path("title").asText();
      assertThat(title).isNotBlank();
      assertThat(panel.path("datasource").path("uid").asText())
          .as(title)
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(title + " targets").isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        assertThat(expr).as(title).isNotBlank();
        assertThat(metricNames(expr)).as(title + ": " + expr).isNotEmpty();
        queried++;
      }
    }
    assertThat(queried).isGreaterThanOrEqualTo(30);
    // a kustomize configMapGenerator makes it a ConfigMap labelled for the sidecar
    Map<String, Object> kustomization;
    try (InputStream in = Files.newInputStream(ROOT.resolve("k8s/grafana/kustomization.yaml"))) {
      kustomization = new Yaml().load(in);
    }
    assertThat(kustomization.toString())
        .contains("freshet-dashboard.json")
        .contains("grafana_dashboard=1");
    assertThat(Files.readString(ROOT.resolve("k8s/base/kustomization.yaml")))
        .contains("../grafana");
  }

  // ---------------------------------------------------------------- the metric names

  @Test
  void everyMetricTheDashboardAndTheRulesNameIsExposedByARealNode() throws Exception {
    Map<String, Set<String>> used = new LinkedHashMap<>();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    for (JsonNode panel : dashboard.path("panels"))
      for (JsonNode target : panel.path("targets"))
        for (String name : metricNames(target.path("expr").asText()))
          used.computeIfAbsent(name, k -> new TreeSet<>())
              .add("panel " + panel.path("title").asText());
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String query =
          variable.path("query").isObject()
              ? variable.path("query").path("query").asText()
              : variable.path("query").asText();
      if (!variable.path("type").asText().equals("query")) continue;
      for (String name : variableMetricNames(query))
        used.computeIfAbsent(name, k -> new TreeSet<>()).add("variable " + variable.path("name"));
    }
    for (Map.Entry<String, String> rule : ruleExpressions().entrySet())
      for (String name : metricNames(rule.getValue()))
        used.computeIfAbsent(name, k -> new TreeSet<>()).add("rule " + rule.getKey());
    assertThat(used)
        .containsKeys(
            "freshet_http_request_duration_seconds_bucket",
            "freshet_cluster_members",
            "freshet_pipeline_lag_seconds",
            "jvm_memory_used_bytes");

    traffic();
    Map<String, Set<String>> missing = new LinkedHashMap<>();
    // the read models' figures come with the pipeline monitor's first sample, this node's shards
    // with the first entities sample
    try {
      Shards.awaitTrue(
          "every metric of the dashboard and the rules in /metrics",
          Duration.ofSeconds(20),
          () -> {
            PrometheusText scrape = PrometheusText.parse(api.text("/metrics"));
            Set<String> exposed = new HashSet<>();
            scrape.samples().forEach(s -> exposed.add(s.name()));
            missing.clear();
            used.forEach(
                (name, where) -> {
                  if (!exposed.contains(name)) missing.put(name, where);
                });
            return missing.isEmpty();
          });
    } catch (AssertionError timedOut) {
      // reported below, naming what is missing and where it is used
    }
    assertThat(missing).as("metrics named but not exposed (where)").isEmpty();
  }

  /**
   * Impressions, events, a ranking, a 404, the admin views: the series that need a first sample.
   */
  private static void traffic() {
    assertThat(api.post("/v1/items", Api.items("g", 20, 2, "active")).status()).isEqualTo(200);
    assertThat(api.post("/v1/impressions", Api.impressions("gu", Api.ids("g", 0, 3))).status())
        .isEqualTo(202);
    String like = "{\"events\":[{\"type\":\"like\",\"userId\":\"gu\",\"itemId\":\"g5\"}]}";
    assertThat(api.post("/v1/events", like).status()).isEqualTo(202);
    assertThat(api.get("/v1/users/gu/recommendations?k=3").status()).isEqualTo(200);
    assertThat(api.get("/v1/items/not-there").status()).isEqualTo(404);
    assertThat(api.get("/v1/admin/cluster").status()).isEqualTo(200);
  }

  @Test
  void theCheckFindsAMetricThatDoesNotExist() {
    // the extraction this test relies on: functions, keywords, labels, strings, durations, numbers
    // and Grafana variables are not metric names; everything else is
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, route) (rate(freshet_http_request_duration_seconds_bucket{route=~\"/v1/x|y\",instance=~\"$instance\"}[$__rate_interval])))"
                    + " / on() group_left sum without (tag) (freshet_nope_total offset 5m) > 1e3 and bool up"))
        .containsExactlyInAnyOrder(
            "freshet_http_request_duration_seconds_bucket", "freshet_nope_total", "up");
    assertThat(variableMetricNames("label_values(freshet_cluster_members, instance)"))
        .containsExactly("freshet_cluster_members");
    PrometheusText scrape = PrometheusText.parse(api.text("/metrics"));
    assertThat(scrape.hasSample("freshet_nope_total")).isFalse();
    assertThat(scrape.hasSample("freshet_cluster_members")).isTrue();
  }

  // ---------------------------------------------------------------- PromQL

  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "atan2");

  /**
   * The metric names in a PromQL expression: identifiers that are neither functions (followed by a
   * parenthesis), keywords, label names (inside braces or grouping clauses), strings, durations nor
   * Grafana variables.
   */
  static Set<String> metricNames(String expr) {
    String e = STRING.matcher(expr).replaceAll("\"\"");
    e = e.replaceAll("\\{[^}]*}", " ");
    e = e.replaceAll("\\[[^]]*]", " ");
    e = GROUPING.matcher(e).replaceAll(" ");
    e = e.replaceAll("\\$\\{[^}]*}|\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(e);
    while (m.find()) {
      if (m.group(2) != null) continue; // a function
      String name = m.group(1);
      if (KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) continue;
      names.add(name);
    }
    return names;
  }

  /** Metric names in a Grafana variable query: label_values(metric, label), or PromQL. */
  static Set<String> variableMetricNames(String query) {
    Matcher lv =
        Pattern.compile("^\\s*label_values\\(\\s*(.*?)\\s*,\\s*\\w+\\s*\\)\\s*$").matcher(query);
    if (lv.matches()) return metricNames(lv.group(1));
    Matcher qr = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$").matcher(query);
    if (qr.matches()) return metricNames(qr.group(1));
    return metricNames(query);
  }

  // ---------------------------------------------------------------- the rule files

  /** Every alert's expression of every rule file under k8s/prometheus, by "file: alert". */
  @SuppressWarnings("unchecked")
  private static Map<String, String> ruleExpressions() throws IOException {
    Map<String, String> byAlert = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(ROOT.resolve("k8s/prometheus"))) {
      s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .sorted()
          .forEach(files::add);
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      Map<String, Object> root;
      try (InputStream in = Files.newInputStream(file)) {
        root = new Yaml().load(in);
      }
      assertThat(root.keySet()).as(file.toString()).containsExactly("groups");
      for (Object g : (List<Object>) root.get("groups"))
        for (Object r : (List<Object>) ((Map<String, Object>) g).get("rules")) {
          Map<String, Object> rule = (Map<String, Object>) r;
          assertThat(rule.keySet())
              .as(file + " " + rule.get("alert"))
              .containsExactlyInAnyOrder("alert", "expr", "for", "labels", "annotations");
          assertThat(
                  byAlert.put(
                      file.getFileName() + ": " + rule.get("alert"), (String) rule.get("expr")))
              .as("alert %s twice", rule.get("alert"))
              .isNull();
        }
    }
    return byAlert;
  }

  private static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
      if (Files.isRegularFile(dir.resolve("k8s/grafana/freshet-dashboard.json"))) return dir;
    throw new AssertionError(
        "k8s/grafana/freshet-dashboard.json not found above " + Path.of("").toAbsolutePath());
  }
}
