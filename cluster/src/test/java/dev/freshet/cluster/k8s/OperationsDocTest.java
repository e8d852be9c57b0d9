package dev.freshet.cluster.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docs/operations.md} and the alert rules of {@code k8s/prometheus} agree: every alert the
 * page names exists, every SLO of its table is backed by an existing alert, and every rule's {@code
 * runbook} annotation points at a heading of the page.
 */
class OperationsDocTest {

  private static final Path ROOT = root();
  private static final Pattern ALERT = Pattern.compile("\\bFreshet[A-Z][A-Za-z]+\\b");

  @Test
  void everyAlertThePageNamesExists() throws IOException {
    Set<String> alerts = rules().keySet();
    String page = Files.readString(ROOT.resolve("docs/operations.md"));
    Set<String> named = new TreeSet<>();
    Matcher m = ALERT.matcher(page);
    while (m.find()) named.add(m.group());
    assertThat(named).hasSizeGreaterThanOrEqualTo(10);
    assertThat(alerts).containsAll(named);
  }

  @Test
  void everySloIsBackedByAnAlert() throws IOException {
    String page = Files.readString(ROOT.resolve("docs/operations.md"));
    String slos = page.substring(page.indexOf("## SLOs"), page.indexOf("## Runbooks"));
    List<String> rows =
        slos.lines().filter(l -> l.startsWith("|") && !l.startsWith("|---")).skip(1).toList();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(4);
    Set<String> alerts = rules().keySet();
    for (String row : rows) {
      String[] cells = row.split("\\|");
      Matcher m = ALERT.matcher(cells[cells.length - 1]);
      assertThat(m.find()).as("an alert for: " + row).isTrue();
      assertThat(alerts).as(row).contains(m.group());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyRunbookAnnotationPointsAtAHeading() throws IOException {
    Set<String> anchors = new TreeSet<>();
    for (String line : Files.readAllLines(ROOT.resolve("docs/operations.md")))
      if (line.startsWith("#")) anchors.add(anchor(line.replaceFirst("^#+\\s*", "")));
    int runbooks = 0;
    for (Map.Entry<String, Map<String, Object>> rule : rules().entrySet()) {
      Object runbook = ((Map<String, Object>) rule.getValue().get("annotations")).get("runbook");
      if (runbook == null) continue;
      runbooks++;
      String link = (String) runbook;
      assertThat(link).as(rule.getKey()).startsWith("docs/operations.md#");
      assertThat(anchors).as(rule.getKey()).contains(link.substring(link.indexOf('#') + 1));
    }
    assertThat(runbooks).isPositive();
  }

  /** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
  private static String anchor(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").trim().replace(' ', '-');
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> rules() throws IOException {
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(ROOT.resolve("k8s/prometheus"))) {
      s.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(files::add);
    }
    for (Path file : files) {
      Map<String, Object> doc;
      try (InputStream in = Files.newInputStream(file)) {
        doc = new Yaml().load(in);
      }
      for (Object g : (List<Object>) doc.get("groups"))
        for (Object r : (List<Object>) ((Map<String, Object>) g).get("rules")) {
          Map<String, Object> rule = (Map<String, Object>) r;
          assertThat(byName.put((String) rule.get("alert"), rule))
              .as("alert %s twice", rule.get("alert"))
              .isNull();
        }
    }
    return byName;
  }

  private static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
      if (Files.isRegularFile(dir.resolve("docs/operations.md"))) return dir;
    throw new AssertionError("docs/operations.md not found above " + Path.of("").toAbsolutePath());
  }
}
