package dev.freshet.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Command-line settings of one bench run; {@link #parse} is pure so it can be unit-tested. */
record BenchConfig(
    String command,
    URI baseUrl,
    Duration duration,
    Duration warmup,
    int users,
    int items,
    String itemsPrefix,
    int batch,
    int k,
    int concurrency,
    Duration timeout,
    String apiKey,
    int stateSample,
    String usersPrefix,
    int seen,
    int interactions,
    long seed,
    String setup,
    int setupConcurrency,
    Duration drainTimeout,
    List<URI> otherUrls) {

  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final List<String> COMMANDS = List.of("ingest", "rank", "all", "rank-spec", "ingest-lag");
  static final String RANK_SPEC = "rank-spec";
  static final String INGEST_LAG = "ingest-lag";

  /** {@code --setup} of rank-spec: set up then measure, only measure, only set up. */
  static final List<String> SETUP_MODES = List.of("run", "skip", "only");

  static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar bench/target/freshet-bench.jar <ingest|rank|all|rank-spec|ingest-lag> [options]",
          "",
          "  ingest     POST /v1/impressions batches; reports durable impressions/s",
          "  rank       GET /v1/users/{id}/recommendations?k=K; reports rankings/s",
          "  all        ingest, then rank",
          "  rank-spec  against a node started with FRESHET_DEMO_CATALOG=off: upload a catalog of --pool",
          "             items s-0.., give --users users su-0.. --seen distinct seen items and --interactions",
          "             events each, check /state, then run rank for those users (the SPEC's conditions)",
          "  ingest-lag ingest, polling GET /v1/admin/pipelines every second during the load and until the",
          "             read models have caught up; reports their lag, pending events, rows/s, catch-up time",
          "",
          "options (--name value or --name=value):",
          "  --url URL            base URL of a running node (env FRESHET_URL; default "
              + DEFAULT_URL
              + ")",
          "  --also URL[,URL]     more nodes of the same cluster: the load's connections are spread",
          "                       over --url and these, one node after the other",
          "  --duration D         measured time per workload: 60, 60s, 2m, 500ms (default 60s)",
          "  --warmup D           unmeasured warm-up before each workload (default 5s)",
          "  --users N            user ids u-0 .. u-(N-1), one picked at random per request (default 100000;",
          "                       rank-spec: 1000)",
          "  --users-prefix P     user id prefix (default u-; rank-spec: su-)",
          "  --items N, --pool N  item ids <prefix>0 .. <prefix>(N-1) (default 5000, the demo catalog;",
          "                       rank-spec: 10000, the catalog it uploads)",
          "  --items-prefix P     item id prefix (default demo-; rank-spec: s-)",
          "  --batch N            distinct random item ids per impressions request, 1..1000 (default 20)",
          "  --k N                ranking size, 1..200 (default 20)",
          "  --concurrency N      requests in flight (default 64)",
          "  --timeout D          per-request timeout; a timeout counts as an error (default 10s)",
          "  --api-key KEY        sent as 'Authorization: Bearer KEY' (env FRESHET_API_KEY; default none)",
          "  --state-sample N     after rank, read /v1/users/{id}/state of N users to report the",
          "                       conditions (seen items, pool size); 0 disables (default 20)",
          "rank-spec only:",
          "  --seen N             distinct seen items (impressions) per user (default 1000)",
          "  --interactions N     warm-up events per user: clicks/likes/dwells in 2-3 preferred categories",
          "                       and one skip with intent not_interested (default 30)",
          "  --seed N             seed of the generated catalog and users (default 42)",
          "  --setup MODE         run: set up, check, measure (default); skip: check and measure users set",
          "                       up earlier on this node; only: set up and check, no measurement",
          "  --setup-concurrency N  requests in flight during the setup (default 4)",
          "ingest-lag only:",
          "  --drain-timeout D    after the load, wait at most this long for the read models to catch up",
          "                       (default 120s)",
          "  --help");

  /**
   * Thrown for bad command lines; the message is meant for the user, followed by the usage text.
   */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static BenchConfig parse(List<String> args, Map<String, String> env) throws UsageException {
    if (args.isEmpty()) {
      throw new UsageException("missing command");
    }
    String command = args.get(0);
    if (command.equals("help") || command.equals("--help") || command.equals("-h")) {
      return null;
    }
    if (!COMMANDS.contains(command)) {
      throw new UsageException("unknown command '" + command + "'");
    }
    String url = env.getOrDefault("FRESHET_URL", DEFAULT_URL);
    String apiKey = env.get("FRESHET_API_KEY");
    Duration duration = Duration.ofSeconds(60);
    Duration warmup = Duration.ofSeconds(5);
    Duration timeout = Duration.ofSeconds(10);
    int users = 100_000;
    int items = 5_000;
    String itemsPrefix = "demo-";
    int batch = 20;
    int k = 20;
    int concurrency = 64;
    int stateSample = 20;
    boolean spec = command.equals(RANK_SPEC);
    if (spec) {
      users = 1_000;
      items = RankWorkload.SPEC_POOL;
      itemsPrefix = "s-";
    }
    String usersPrefix = spec ? "su-" : "u-";
    int seen = RankWorkload.SPEC_SEEN;
    int interactions = 30;
    long seed = 42;
    String setup = "run";
    int setupConcurrency = 4;
    Duration drainTimeout = Duration.ofSeconds(120);
    String also = "";

    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.size()) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args.get(++i);
      }
      switch (name) {
        case "url" -> url = value;
        case "also" -> also = value;
        case "duration" -> duration = parseDuration(name, value);
        case "warmup" -> warmup = parseDuration(name, value);
        case "timeout" -> timeout = parseDuration(name, value);
        case "users" -> users = parseInt(name, value, 1, Integer.MAX_VALUE);
        case "items", "pool" -> items = parseInt(name, value, 1, Integer.MAX_VALUE);
        case "users-prefix" -> usersPrefix = value;
        case "seen" -> seen = parseInt(name, value, 1, Integer.MAX_VALUE);
        case "interactions" -> interactions = parseInt(name, value, 0, 100_000);
        case "seed" -> seed = parseLong(name, value);
        case "setup" -> setup = value;
        case "setup-concurrency" -> setupConcurrency = parseInt(name, value, 1, 256);
        case "drain-timeout" -> drainTimeout = parseDuration(name, value);
        case "items-prefix" -> itemsPrefix = value;
        case "batch" -> batch = parseInt(name, value, 1, 1000);
        case "k" -> k = parseInt(name, value, 1, 200);
        case "concurrency" -> concurrency = parseInt(name, value, 1, 100_000);
        case "api-key" -> apiKey = value;
        case "state-sample" -> stateSample = parseInt(name, value, 0, 10_000);
        default -> throw new UsageException("unknown option --" + name);
      }
    }
    if (batch > items) {
      throw new UsageException(
          "--batch " + batch + " exceeds --items " + items + " (ids in a batch are distinct)");
    }
    if (duration.isZero()) {
      throw new UsageException("--duration must be positive");
    }
    if (timeout.isZero()) {
      throw new UsageException("--timeout must be positive");
    }
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
    if (!SETUP_MODES.contains(setup)) {
      throw new UsageException(
          "--setup must be one of " + String.join(", ", SETUP_MODES) + ", got '" + setup + "'");
    }
    if (spec && seen > items) {
      throw new UsageException(
          "--seen " + seen + " exceeds --pool " + items + " (seen items are distinct)");
    }
    for (String prefix : List.of(itemsPrefix, usersPrefix)) {
      if (!prefix.matches("[A-Za-z0-9._:@-]{1,100}")) {
        throw new UsageException(
            "id prefix '" + prefix + "' must be 1-100 characters of [A-Za-z0-9._:@-]");
      }
    }
    return new BenchConfig(
        command,
        parseUrl(url),
        duration,
        warmup,
        users,
        items,
        itemsPrefix,
        batch,
        k,
        concurrency,
        timeout,
        apiKey,
        stateSample,
        usersPrefix,
        seen,
        interactions,
        seed,
        setup,
        setupConcurrency,
        drainTimeout,
        parseUrls(also));
  }

  /** {@code --also}: more nodes' base URLs, comma-separated. */
  private static List<URI> parseUrls(String urls) throws UsageException {
    List<URI> parsed = new java.util.ArrayList<>();
    for (String u : urls.split(",")) {
      if (!u.isBlank()) parsed.add(parseUrl(u));
    }
    return List.copyOf(parsed);
  }

  /** Accepts "60", "60s", "500ms", "2m"; a bare number means seconds. */
  static Duration parseDuration(String name, String value) throws UsageException {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (v.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      } else {
        d = Duration.ofSeconds(Long.parseLong(v));
      }
      if (d.isNegative()) {
        throw new UsageException("--" + name + " must not be negative");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--" + name + ": not a duration: '" + value + "' (try 60s, 500ms, 2m)");
    }
  }

  private static int parseInt(String name, String value, int min, int max) throws UsageException {
    int n;
    try {
      n = Integer.parseInt(value.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + ": not a number: '" + value + "'");
    }
    if (n < min || n > max) {
      throw new UsageException("--" + name + " must be in " + min + ".." + max + ", got " + n);
    }
    return n;
  }

  private static long parseLong(String name, String value) throws UsageException {
    try {
      return Long.parseLong(value.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + ": not a number: '" + value + "'");
    }
  }

  private static URI parseUrl(String url) throws UsageException {
    String u = url.trim();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    try {
      URI uri = URI.create(u);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new UsageException("bad base URL '" + url + "': " + e.getMessage());
    }
  }
}
