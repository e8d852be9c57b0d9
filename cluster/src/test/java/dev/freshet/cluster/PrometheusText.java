package dev.freshet.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line is a
 * HELP, a TYPE or a sample; every sample belongs to a family declared by a TYPE line before it
 * (histograms with their {@code _bucket}, {@code _count} and {@code _sum}); a family's lines are
 * contiguous and declared once; histogram buckets are cumulative and end with {@code +Inf} equal to
 * {@code _count}. Anything else throws, naming the line.
 */
public final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern VALUE =
      Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  record Sample(String name, Map<String, String> labels, double value) {
    String label(String name) {
      return labels.get(name);
    }
  }

  record Family(String name, String type, String help, List<Sample> samples) {}

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = families;
  }

  Map<String, Family> families() {
    return families;
  }

  /** Every sample of every family. */
  List<Sample> samples() {
    List<Sample> all = new ArrayList<>();
    families.values().forEach(f -> all.addAll(f.samples()));
    return all;
  }

  boolean hasSample(String name) {
    return samples().stream().anyMatch(s -> s.name().equals(name));
  }

  /**
   * The one sample called {@code name} whose labels include {@code labels} (name, value, name,
   * value…).
   */
  Optional<Sample> sample(String name, String... labels) {
    List<Sample> found = new ArrayList<>();
    for (Sample s : samples()) {
      if (!s.name().equals(name)) continue;
      boolean matches = true;
      for (int i = 0; i < labels.length; i += 2)
        matches &= labels[i + 1].equals(s.labels().get(labels[i]));
      if (matches) found.add(s);
    }
    if (found.size() > 1)
      throw new AssertionError(
          "more than one sample " + name + " with " + List.of(labels) + ": " + found);
    return found.stream().findFirst();
  }

  /** The value of {@link #sample}, failing when there is none. */
  double value(String name, String... labels) {
    return sample(name, labels)
        .orElseThrow(() -> new AssertionError("no sample " + name + " with " + List.of(labels)))
        .value();
  }

  /**
   * The sum of every sample called {@code name}, whatever its labels (a counter over all its
   * series), failing when there is none.
   */
  public double sum(String name) {
    List<Sample> found = samples().stream().filter(s -> s.name().equals(name)).toList();
    if (found.isEmpty()) throw new AssertionError("no sample " + name);
    return found.stream().mapToDouble(Sample::value).sum();
  }

  public static PrometheusText parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n"))
      throw new IllegalArgumentException("the last line does not end with a newline");
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, Family> families = new LinkedHashMap<>();
    String current = null;
    String[] lines = text.split("\n", -1);
    // the text ends with a newline, so the last element is the nothing after it
    for (int number = 1; number < lines.length; number++) {
      String line = lines[number - 1];
      try {
        if (line.startsWith("# HELP ")) {
          String rest = line.substring(7);
          int space = rest.indexOf(' ');
          String name = space < 0 ? rest : rest.substring(0, space);
          requireName(name);
          if (help.put(name, space < 0 ? "" : unescapeHelp(rest.substring(space + 1))) != null) {
            throw new IllegalArgumentException("HELP for " + name + " twice");
          }
          if (families.containsKey(name))
            throw new IllegalArgumentException("HELP for " + name + " after its samples");
          current = null;
        } else if (line.startsWith("# TYPE ")) {
          String[] parts = line.substring(7).split(" ", -1);
          if (parts.length != 2) throw new IllegalArgumentException("TYPE needs a name and a type");
          requireName(parts[0]);
          if (!TYPES.contains(parts[1]))
            throw new IllegalArgumentException("unknown type " + parts[1]);
          if (families.containsKey(parts[0]))
            throw new IllegalArgumentException("TYPE for " + parts[0] + " twice");
          families.put(
              parts[0], new Family(parts[0], parts[1], help.get(parts[0]), new ArrayList<>()));
          current = parts[0];
        } else if (line.startsWith("#")) {
          throw new IllegalArgumentException("a comment that is neither HELP nor TYPE");
        } else {
          Sample sample = sampleLine(line);
          Family family = current == null ? null : families.get(current);
          if (family == null || !belongs(sample.name(), family)) {
            throw new IllegalArgumentException(
                "sample "
                    + sample.name()
                    + " outside a declared family (current: "
                    + current
                    + ")");
          }
          family.samples().add(sample);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "line " + number + " '" + line + "': " + e.getMessage(), e);
      }
    }
    for (Family f : families.values()) {
      if (f.samples().isEmpty())
        throw new IllegalArgumentException("family " + f.name() + " declared without samples");
      if (f.type().equals("histogram")) checkHistogram(f);
    }
    return new PrometheusText(families);
  }

  private static boolean belongs(String sample, Family family) {
    String f = family.name();
    return switch (family.type()) {
      case "histogram" ->
          sample.equals(f + "_bucket") || sample.equals(f + "_count") || sample.equals(f + "_sum");
      case "summary" ->
          sample.equals(f) || sample.equals(f + "_count") || sample.equals(f + "_sum");
      default -> sample.equals(f);
    };
  }

  /** Per label set: buckets ascending by le and cumulative, the last +Inf and equal to _count. */
  private static void checkHistogram(Family f) {
    Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    for (Sample s : f.samples()) {
      if (s.name().endsWith("_bucket")) {
        if (!s.labels().containsKey("le"))
          throw new IllegalArgumentException(f.name() + ": a bucket without le");
        Map<String, String> rest = new LinkedHashMap<>(s.labels());
        rest.remove("le");
        buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
      } else if (s.name().endsWith("_count")) {
        counts.put(s.labels(), s.value());
      }
    }
    for (var e : buckets.entrySet()) {
      double previousLe = Double.NEGATIVE_INFINITY, previousCount = 0;
      for (Sample b : e.getValue()) {
        double le = parseValue(b.label("le"));
        if (le <= previousLe)
          throw new IllegalArgumentException(
              f.name() + ": buckets not ascending at le=" + b.label("le"));
        if (b.value() < previousCount)
          throw new IllegalArgumentException(
              f.name() + ": buckets not cumulative at le=" + b.label("le"));
        previousLe = le;
        previousCount = b.value();
      }
      if (previousLe != Double.POSITIVE_INFINITY)
        throw new IllegalArgumentException(f.name() + ": no +Inf bucket");
      Double count = counts.get(e.getKey());
      if (count == null || count != previousCount) {
        throw new IllegalArgumentException(
            f.name() + e.getKey() + ": +Inf bucket " + previousCount + " != _count " + count);
      }
    }
  }

  private static Sample sampleLine(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
    String name = line.substring(0, i);
    requireName(name);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i >= line.length()) throw new IllegalArgumentException("labels not closed");
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) throw new IllegalArgumentException("a label without '='");
        String labelName = line.substring(i, eq);
        if (!LABEL_NAME.matcher(labelName).matches())
          throw new IllegalArgumentException("bad label name '" + labelName + "'");
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"')
          throw new IllegalArgumentException("label value not quoted");
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; ; j++) {
          if (j >= line.length()) throw new IllegalArgumentException("label value not closed");
          char c = line.charAt(j);
          if (c == '"') break;
          if (c == '\\') {
            if (++j >= line.length()) throw new IllegalArgumentException("dangling escape");
            char e = line.charAt(j);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException("bad escape \\" + e);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(labelName, value.toString()) != null)
          throw new IllegalArgumentException("label " + labelName + " twice");
        i = j + 1;
        if (i < line.length() && line.charAt(i) == ',') i++;
        else if (i >= line.length() || line.charAt(i) != '}')
          throw new IllegalArgumentException("expected ',' or '}' after a label");
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ')
      throw new IllegalArgumentException("no space before the value");
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length > 2) throw new IllegalArgumentException("trailing text after the value");
    double value = parseValue(rest[0]);
    if (rest.length == 2 && !rest[1].matches("-?\\d+"))
      throw new IllegalArgumentException("bad timestamp " + rest[1]);
    return new Sample(name, labels, value);
  }

  private static double parseValue(String v) {
    if (!VALUE.matcher(v).matches()) throw new IllegalArgumentException("bad value '" + v + "'");
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  private static void requireName(String name) {
    if (!NAME.matcher(name).matches())
      throw new IllegalArgumentException("bad metric name '" + name + "'");
  }

  private static String unescapeHelp(String help) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= help.length()) throw new IllegalArgumentException("dangling escape in HELP");
      switch (help.charAt(i)) {
        case '\\' -> out.append('\\');
        case 'n' -> out.append('\n');
        default -> throw new IllegalArgumentException("bad escape in HELP \\" + help.charAt(i));
      }
    }
    return out.toString();
  }
}
