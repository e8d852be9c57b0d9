package dev.freshet.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.actors.learning.Bootstrap;
import dev.freshet.actors.ranking.Feature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The chronological evaluation: a dataset replayed through a real node (its own embedded
 * PostgreSQL, the HTTP API, the user entities, the read models and the training job) in time order,
 * every event carrying its own time. For each user's latest {@code testShare} of ratings, the
 * positive ones are evaluation points: just before each is ingested, every arm ranks the user's top
 * {@code k} as of that moment ({@code asOf}), and a hit is counted when the item is among them
 * (NDCG: by its position). The model is retrained every {@code retrainEvery} ratings on what was
 * replayed so far (so it never sees the future), through the admin API, and the node serves it once
 * promoted. Deterministic: exploration off and a fixed seed.
 *
 * <p>The arms are variants of the same node: {@code full} (every feature, collaborative filtering
 * included), {@code no-cf} (the same without it) and {@code popularity} (live and catalog
 * popularity alone: recent popularity); and with {@link Settings#scan}, {@code scan}: the full
 * ranking scoring every item rather than the retrieved candidates, to show what retrieval loses.
 */
public final class ChronologicalReplay {

  public static final String FULL = "full",
      NO_CF = "no-cf",
      POPULARITY = "popularity",
      SCAN = "scan";
  static final List<String> ARMS = List.of(FULL, NO_CF, POPULARITY);

  /**
   * Settings of the replay's node that follow from replaying a dataset rather than serving live
   * traffic (each may be overridden): popularity decays over months, not hours, since a dataset
   * like MovieLens has a dozen ratings a day where a live service has thousands a minute. Chosen on
   * ml-latest-small by decayed popularity alone (hit-rate@20 0.038 at 6 hours, 0.057 at 7 days,
   * 0.076 at 30, 0.095 at 90, 0.098 at 180, 0.093 at 365, 0.061 without decay:
   * bench/tools/replay_popularity.py, bench/README.md).
   */
  public static final Map<String, Object> DATASET_SETTINGS =
      Map.of("freshet.popularity.half-life", "180d");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 1_000;

  /** The API's limit on a body, less room for the envelope. */
  private static final int MAX_BODY = 64 * 1024 - 64;

  private static final int RESAMPLES = 1_000;

  /** How to replay and judge. */
  public record Settings(
      int k,
      double testShare,
      double minRating,
      int retrainEvery,
      long seed,
      Map<String, Object> nodeOverrides,
      boolean scan) {

    List<String> arms() {
      if (!scan) return ARMS;
      List<String> arms = new ArrayList<>(ARMS);
      arms.add(SCAN);
      return arms;
    }
  }

  /** One arm's figures: over evaluation points and over users, each with its interval. */
  public record Arm(
      String name,
      Bootstrap.Interval hitRate,
      Bootstrap.Interval ndcg,
      Bootstrap.Interval hitRateByUser,
      Bootstrap.Interval ndcgByUser) {}

  public record Report(
      int ratings,
      int users,
      int items,
      int points,
      int evaluatedUsers,
      double unreachableShare,
      List<Arm> arms,
      Bootstrap.Interval fullMinusPopularity,
      Bootstrap.Interval fullMinusNoCf,
      Optional<Bootstrap.Interval> fullMinusScan,
      int trainings,
      int promoted,
      Duration longestTraining,
      long foldIns,
      Duration foldInTime,
      Duration took) {

    public Arm arm(String name) {
      return arms.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    public void print(PrintStream out, Settings settings) {
      int k = settings.k();
      out.printf(
          "Chronological replay: %,d ratings, %,d users, %,d items; %,d evaluation points of %,d users"
              + " (%.1f %% of targets unreachable: nobody had acted on the item before); %d trainings,"
              + " %d promoted; %d s%n",
          ratings,
          users,
          items,
          points,
          evaluatedUsers,
          100 * unreachableShare,
          trainings,
          promoted,
          took.toSeconds());
      out.printf(
          "  longest training %.1f s; %,d fold-ins in the user entities, %.3f ms each on average%n",
          longestTraining.toMillis() / 1000.0,
          foldIns,
          foldIns == 0 ? 0 : foldInTime.toNanos() / 1e6 / foldIns);
      out.println(
          "  node settings: "
              + (settings.nodeOverrides().isEmpty()
                  ? "the defaults"
                  : new java.util.TreeMap<>(settings.nodeOverrides()).toString()));
      out.printf(
          "  %-11s %-27s %-27s %-27s %-27s%n",
          "arm",
          "hit-rate@" + k + " (points)",
          "NDCG@" + k + " (points)",
          "hit-rate@" + k + " (users)",
          "NDCG@" + k + " (users)");
      for (Arm a : arms)
        out.printf(
            "  %-11s %-27s %-27s %-27s %-27s%n",
            a.name(), a.hitRate(), a.ndcg(), a.hitRateByUser(), a.ndcgByUser());
      out.printf("  hit-rate full - popularity: %s (paired, 95 %%)%n", fullMinusPopularity);
      out.printf("  hit-rate full - no-cf:      %s (paired, 95 %%)%n", fullMinusNoCf);
      fullMinusScan.ifPresent(
          d -> out.printf("  hit-rate full - scan:       %s (paired, 95 %%)%n", d));
    }
  }

  private ChronologicalReplay() {}

  /** Replays {@code data} through a node of its own, started and stopped here. */
  public static Report run(ReplayData data, Settings settings, PrintStream progress)
      throws IOException {
    Path dir = Files.createTempDirectory("freshet-replay");
    List<String> genres =
        data.items().values().stream().flatMap(i -> i.tags().stream()).distinct().sorted().toList();
    FreshetNode node =
        FreshetNode.start(nodeConfig(dir, genres.size(), settings), Optional.empty());
    try {
      return new Session(node, data, settings, genres, progress).run();
    } finally {
      node.stop();
    }
  }

  /**
   * A private single node: its own database under {@code dir}, loopback only, keys and limits off
   * (nothing else reaches it), exploration off, read models on, the training job on demand only,
   * and every timestamp accepted (datasets are older than live traffic).
   */
  static Config nodeConfig(Path dir, int embeddingDimension, Settings settings) {
    Map<String, Object> values = new HashMap<>();
    values.put("freshet.data-dir", dir.toString());
    values.put("freshet.http.host", "127.0.0.1");
    values.put("freshet.http.port", 0);
    values.put("freshet.http.internal.port", 0);
    values.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
    values.put("pekko.remote.artery.canonical.port", 0);
    values.put("freshet.management.enabled", false);
    values.put("freshet.demo-catalog.enabled", false);
    values.put("freshet.auth.enabled", "off");
    values.put("freshet.limits.enabled", "off");
    values.put("freshet.http.time-window.earliest", "1970-01-01T00:00:00Z");
    values.put("freshet.ranking.exploration.share", 0.0);
    values.put("freshet.ranking.exploration.seed", settings.seed());
    // no scheduled runs: the replay trains on demand, on what it has replayed
    values.put("freshet.learning.enabled", "off");
    values.put("freshet.learning.window", "36500d");
    values.put("freshet.learning.als.seed", settings.seed());
    values.put("freshet.retention.period", "36500d");
    // each batch on the popularity board at once: the replay waits for it before ranking
    values.put("freshet.popularity.window", "2ms");
    values.put("freshet.catalog.embedding-dimension", Math.max(1, embeddingDimension));
    values.put(
        "freshet.ranking.ab.variants",
        List.of(
            Map.of("name", FULL, "share", 100),
            Map.of("name", NO_CF, "share", 0, "weights", Map.of(Feature.CF.key(), 0.0)),
            Map.of("name", POPULARITY, "share", 0, "weights", popularityOnly()),
            Map.of("name", SCAN, "share", 0, "retrieval", false)));
    values.putAll(settings.nodeOverrides());
    return ConfigFactory.parseMap(values).withFallback(ConfigFactory.load());
  }

  private static Map<String, Object> popularityOnly() {
    Map<String, Object> weights = new LinkedHashMap<>();
    for (Feature feature : Feature.values()) weights.put(feature.key(), 0.0);
    weights.put(Feature.POPULARITY.key(), 1.0);
    weights.put(Feature.TRENDING.key(), 1.0);
    return weights;
  }

  /** Each user's latest {@code testShare} of ratings by time, the positive ones. */
  static Set<ReplayData.Rating> evaluationPoints(List<ReplayData.Rating> ratings, Settings s) {
    Map<String, List<ReplayData.Rating>> byUser = new HashMap<>();
    for (ReplayData.Rating r : ratings)
      byUser.computeIfAbsent(r.user(), u -> new ArrayList<>()).add(r); // already in time order
    Set<ReplayData.Rating> points = new HashSet<>();
    for (List<ReplayData.Rating> mine : byUser.values()) {
      int test = (int) Math.ceil(mine.size() * s.testShare());
      for (ReplayData.Rating r : mine.subList(mine.size() - test, mine.size()))
        if (r.rating() >= s.minRating()) points.add(r);
    }
    return points;
  }

  /** One replay against one node. */
  private static final class Session {
    private final FreshetNode node;
    private final ReplayData data;
    private final Settings settings;
    private final List<String> genres;
    private final PrintStream progress;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final List<ObjectNode> pending = new ArrayList<>();
    private int pendingBytes;
    private long sent;
    private int trainings, promoted;
    private String lastNote = "";
    private long longestTraining;

    Session(
        FreshetNode node,
        ReplayData data,
        Settings settings,
        List<String> genres,
        PrintStream progress) {
      this.node = node;
      this.data = data;
      this.settings = settings;
      this.genres = genres;
      this.progress = progress;
      this.base = "http://127.0.0.1:" + node.httpPort();
    }

    Report run() {
      long start = System.nanoTime();
      loadCatalog();
      Set<ReplayData.Rating> points = evaluationPoints(data.ratings(), settings);
      List<String> arms = settings.arms();
      Map<String, List<double[]>> hits = new HashMap<>(), gains = new HashMap<>();
      for (String arm : arms) {
        hits.put(arm, new ArrayList<>());
        gains.put(arm, new ArrayList<>());
      }
      List<String> pointUsers = new ArrayList<>();
      Set<String> actedOn = new HashSet<>();
      int unreachable = 0, replayed = 0;
      for (ReplayData.Rating r : data.ratings()) {
        if (points.contains(r)) {
          flush();
          if (!actedOn.contains(r.item())) unreachable++;
          pointUsers.add(r.user());
          for (String arm : arms) {
            int position = positionOf(r, arm);
            hits.get(arm).add(new double[] {position > 0 ? 1 : 0});
            gains.get(arm).add(new double[] {position > 0 ? 1 / log2(position + 1) : 0});
          }
        }
        ObjectNode event = event(r);
        // a batch is at most 1,000 events and 64 KiB: sent before this one would overflow it
        // in bytes, as the API counts: ids from other datasets need not be ASCII
        int size = event.toString().getBytes(StandardCharsets.UTF_8).length + 1;
        if (pending.size() == BATCH || pendingBytes + size > MAX_BODY) flush();
        pending.add(event);
        pendingBytes += size;
        actedOn.add(r.item());
        replayed++;
        if (replayed % settings.retrainEvery() == 0 && replayed < data.ratings().size()) {
          flush();
          train();
          progress.printf(
              "  replayed %,d of %,d ratings; %d trainings, %d promoted; the last: %s%n",
              replayed, data.ratings().size(), trainings, promoted, lastNote);
        }
      }
      flush();
      List<Arm> results = new ArrayList<>();
      for (String arm : arms)
        results.add(arm(arm, column(hits.get(arm)), column(gains.get(arm)), pointUsers));
      return new Report(
          data.ratings().size(),
          (int) data.ratings().stream().map(ReplayData.Rating::user).distinct().count(),
          data.items().isEmpty()
              ? (int) data.ratings().stream().map(ReplayData.Rating::item).distinct().count()
              : data.items().size(),
          pointUsers.size(),
          (int) pointUsers.stream().distinct().count(),
          pointUsers.isEmpty() ? 0 : (double) unreachable / pointUsers.size(),
          results,
          paired(column(hits.get(FULL)), column(hits.get(POPULARITY))),
          paired(column(hits.get(FULL)), column(hits.get(NO_CF))),
          settings.scan()
              ? Optional.of(paired(column(hits.get(FULL)), column(hits.get(SCAN))))
              : Optional.empty(),
          trainings,
          promoted,
          Duration.ofMillis(longestTraining),
          node.servingModels().foldIns(),
          Duration.ofNanos(node.servingModels().foldInNanos()),
          Duration.ofNanos(System.nanoTime() - start));
    }

    private Arm arm(String name, double[] hit, double[] gain, List<String> users) {
      return new Arm(
          name,
          Bootstrap.mean(hit, RESAMPLES, settings.seed()),
          Bootstrap.mean(gain, RESAMPLES, settings.seed()),
          Bootstrap.mean(byUser(hit, users), RESAMPLES, settings.seed()),
          Bootstrap.mean(byUser(gain, users), RESAMPLES, settings.seed()));
    }

    private Bootstrap.Interval paired(double[] a, double[] b) {
      double[] d = new double[a.length];
      for (int i = 0; i < d.length; i++) d[i] = a[i] - b[i];
      return Bootstrap.mean(d, RESAMPLES, settings.seed());
    }

    /** Each user's mean over their points, so that every user counts once. */
    private static double[] byUser(double[] values, List<String> users) {
      Map<String, double[]> sums = new LinkedHashMap<>();
      for (int i = 0; i < values.length; i++) {
        double[] s = sums.computeIfAbsent(users.get(i), u -> new double[2]);
        s[0] += values[i];
        s[1]++;
      }
      return sums.values().stream().mapToDouble(s -> s[0] / s[1]).toArray();
    }

    private static double[] column(List<double[]> values) {
      return values.stream().mapToDouble(v -> v[0]).toArray();
    }

    private static double log2(double x) {
      return Math.log(x) / Math.log(2);
    }

    /** The item's position (1-based) in the arm's top k as of the rating's time; 0 if absent. */
    private int positionOf(ReplayData.Rating r, String arm) {
      JsonNode ranking =
          send(
              "GET",
              "/v1/users/"
                  + encode(r.user())
                  + "/recommendations?k="
                  + settings.k()
                  + "&variant="
                  + arm
                  + "&asOf="
                  + r.epochSeconds() * 1_000,
              null,
              200);
      JsonNode items = ranking.path("items");
      for (int i = 0; i < items.size(); i++)
        if (items.get(i).path("id").asText().equals(r.item())) return i + 1;
      return 0;
    }

    /**
     * A rating as an interaction: min-rating and up a like, a point below a click, else a dislike.
     */
    private ObjectNode event(ReplayData.Rating r) {
      String type =
          r.rating() >= settings.minRating()
              ? "like"
              : r.rating() >= settings.minRating() - 1 ? "click" : "dislike";
      ObjectNode e = JSON.createObjectNode();
      e.put("type", type);
      e.put("userId", r.user());
      e.put("itemId", r.item());
      e.put("ts", Instant.ofEpochSecond(r.epochSeconds()).toString());
      return e;
    }

    private void flush() {
      if (pending.isEmpty()) return;
      ObjectNode body = JSON.createObjectNode();
      body.putArray("events").addAll(pending);
      send("POST", "/v1/events", body, 202);
      sent += pending.size();
      pending.clear();
      pendingBytes = 0;
      // popularity reaches the board a window later: ranked before, the arms would depend on timing
      while (!node.popularityCaughtUp()) pause(1);
    }

    /**
     * Trains on what was replayed so far once the read model holds all of it, waits for the run to
     * end and, when it promoted a version, for this node to serve it.
     */
    private void train() {
      awaitReadModel();
      long runs = status().path("runs").asLong();
      send("POST", "/v1/admin/models/train", NO_BODY, 202);
      JsonNode training;
      do {
        pause();
        training = status();
      } while (training.path("runs").asLong() <= runs || training.path("running").asBoolean());
      trainings++;
      longestTraining = Math.max(longestTraining, training.path("lastMillis").asLong());
      lastNote = models().path("versions").path(0).path("note").asText("");
      if (!training.path("lastError").asText("").isEmpty())
        progress.println("  training failed: " + training.path("lastError").asText());
      if (training.path("lastPromoted").asBoolean()) {
        promoted++;
        long version = training.path("lastVersion").asLong();
        while (node.servingModels().promotedVersion() != version) pause();
      }
    }

    private JsonNode status() {
      return models().path("training");
    }

    /**
     * The training job and the latest model versions; asked again while the node answers 503 (a
     * busy node: training takes a core of the two this machine may have).
     */
    private JsonNode models() {
      for (int attempt = 1; ; attempt++) {
        try {
          return send("GET", "/v1/admin/models", null, 200);
        } catch (Unavailable e) {
          if (attempt == 20) throw e;
          pause();
        }
      }
    }

    /** Waits until the events read model has a row for every interaction sent. */
    private void awaitReadModel() {
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (projected() < sent) {
        if (System.nanoTime() > deadline)
          throw new IllegalStateException(
              "the events read model did not catch up within 5 minutes: "
                  + projected()
                  + " of "
                  + sent);
        pause();
      }
    }

    private long projected() {
      try (Connection c = node.database().dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM events WHERE type <> 'impression'")) {
        rs.next();
        return rs.getLong(1);
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("counting the events read model failed", e);
      }
    }

    /**
     * The items: from the items file (the first genre the category, all genres tags and a multi-hot
     * embedding), else every item rated, without attributes.
     */
    private void loadCatalog() {
      Map<String, ReplayData.Item> items = new LinkedHashMap<>(data.items());
      for (ReplayData.Rating r : data.ratings())
        items.putIfAbsent(r.item(), new ReplayData.Item(r.item(), "none", List.of()));
      List<ObjectNode> batch = new ArrayList<>();
      for (ReplayData.Item item : items.values()) {
        ObjectNode json = JSON.createObjectNode();
        json.put("id", item.id());
        json.put("category", item.category());
        ArrayNode tags = json.putArray("tags");
        item.tags().forEach(tags::add);
        if (!item.tags().isEmpty() && !genres.isEmpty()) {
          ArrayNode embedding = json.putArray("embedding");
          for (String g : genres)
            embedding.add(item.tags().contains(g) ? 1.0 / Math.sqrt(item.tags().size()) : 0.0);
        }
        batch.add(json);
        if (batch.size() == BATCH) upsert(batch);
      }
      upsert(batch);
    }

    private void upsert(List<ObjectNode> batch) {
      if (batch.isEmpty()) return;
      ObjectNode body = JSON.createObjectNode();
      body.putArray("items").addAll(batch);
      send("POST", "/v1/items", body, 200);
      batch.clear();
    }

    /** A POST without a body. */
    private static final JsonNode NO_BODY = JSON.createObjectNode();

    private JsonNode send(String method, String path, JsonNode body, int expected) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
      if (body == null) request.GET();
      else if (body == NO_BODY) request.method(method, HttpRequest.BodyPublishers.noBody());
      else
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 503)
          throw new Unavailable(method + " " + path + " answered 503: " + response.body());
        if (response.statusCode() != expected)
          throw new IllegalStateException(
              method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    private static final class Unavailable extends IllegalStateException {
      Unavailable(String message) {
        super(message);
      }
    }

    private static String encode(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void pause() {
      pause(50);
    }

    private static void pause(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
