package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/freshet evaluate} on files written here: its table, and its answers to bad input. */
class EvaluateCommandTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** The static split alone: the chronological replay starts a node (MovieLens quality tests). */
  private int run(String... args) {
    String[] staticOnly = new String[args.length + 1];
    staticOnly[0] = "--no-replay";
    System.arraycopy(args, 0, staticOnly, 1, args.length);
    return replay(staticOnly);
  }

  private int replay(String... args) {
    return EvaluateCommand.run(
        args,
        ConfigFactory.parseString(
                "freshet.learning.als { factors = 8, iterations = 8, regularization = 1, alpha = 5 }")
            .withFallback(ConfigFactory.load()),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /**
   * Two taste groups with their own movies, and a few movies everybody rates: the trainers find the
   * groups, popularity cannot.
   */
  @Test
  void theTrainersBeatPopularityOnTasteGroups() throws Exception {
    Random random = new Random(1);
    List<String> lines = new ArrayList<>(List.of("userId,movieId,rating,timestamp"));
    for (int u = 0; u < 120; u++) {
      int group = u % 2;
      for (int m = 0; m < 40; m++)
        if (random.nextDouble() < 0.35)
          lines.add("u" + u + ",g" + group + "-" + m + ",4.0," + (1_000_000 + m));
      for (int m = 0; m < 2; m++)
        if (random.nextDouble() < 0.5) lines.add("u" + u + ",all-" + m + ",3.5,1");
    }
    Path file = Files.write(dir.resolve("ratings.csv"), lines);

    assertThat(run("--ratings", file.toString(), "--threads", "1")).isZero();
    String table = out.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("120 users", "Static split", "95 % bootstrap");
    double popularity = ndcg(table, "popularity"),
        als = ndcg(table, "implicit ALS"),
        ease = ndcg(table, "EASE");
    assertThat(als).isGreaterThan(popularity * 1.2);
    assertThat(ease).isGreaterThan(popularity * 1.2);
  }

  private static double ndcg(String table, String method) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(method) + ".*?\\s(\\d\\.\\d{4}) \\[")
            .matcher(table);
    assertThat(m.find()).as(method + " in\n" + table).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void aMalformedLineIsNamedAndNothingIsEvaluated() throws Exception {
    Path file =
        Files.write(
            dir.resolve("bad.csv"), List.of("userId,movieId,rating", "1,2,4.0", "1,3,four"));
    assertThat(run("--ratings", file.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("line 3", "rating must be a number", "\"four\"");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void badArgumentsAreExplained() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--ratings is required", "usage:");
    assertThat(run("--ratings", dir.resolve("none.csv").toString())).isEqualTo(2);
    assertThat(run("--ratings", "x", "--train-share", "1.5")).isEqualTo(2);
    Path one = Files.write(dir.resolve("one.csv"), List.of("u,m,4.0", "v,m,3.0"));
    assertThat(run("--ratings", one.toString(), "--seed", "abc")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--seed must be a number, got \"abc\"");
    assertThat(run("--ratings", one.toString(), "--threads", "100000")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--threads must be from 1 to 256");
    assertThat(run("--ratings", one.toString(), "--min-rating", "NaN")).isEqualTo(2);
    assertThat(run("--ratings", one.toString(), "--seed")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--seed needs a value");
    // --set takes a node setting and its value, nothing else
    assertThat(run("--ratings", one.toString(), "--set", "no-equals-sign")).isEqualTo(2);
    assertThat(run("--ratings", one.toString(), "--set", "pekko.loglevel=DEBUG")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--set needs freshet.SETTING=VALUE, got \"pekko.loglevel=DEBUG\"");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    Path empty = Files.write(dir.resolve("empty.csv"), List.of("userId,movieId,rating"));
    assertThat(run("--ratings", empty.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no pairs");
  }

  @Test
  void theReplayNeedsTimesAndSaysWhichLineHasNone() throws Exception {
    Path file = Files.createTempFile("no-times", ".csv");
    Files.writeString(file, "user,item,rating\n1,10,4\n");
    assertThat(replay("--ratings", file.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("line 1", "timestamp", "--no-replay");
    assertThat(replay("--ratings", file.toString(), "--retrain-every", "0")).isEqualTo(2);
    assertThat(replay("--ratings", file.toString(), "--k", "500")).isEqualTo(2);
  }

  @Test
  void aSettingTheReplaysNodeRefusesIsABadArgumentNamed() throws Exception {
    Path file = Files.createTempFile("timed", ".csv");
    Files.writeString(file, "user,item,rating,timestamp\n1,10,4,964982703\n2,10,5,964982704\n");
    // the node refuses both as it starts: a malformed duration, a bound its settings check
    assertThat(replay("--ratings", file.toString(), "--set", "freshet.popularity.half-life=abc"))
        .isEqualTo(2);
    assertThat(replay("--ratings", file.toString(), "--set", "freshet.learning.ease.max-items=0"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("a --set value is not a valid setting", "half-life", "max-items");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
