package dev.freshet.cluster.processes;

import dev.freshet.cluster.TestNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Freshet node as an operator starts it: {@code java -jar freshet.jar} with its settings in the
 * environment, its output in a log file. Stopped with SIGTERM (coordinated shutdown) or killed with
 * SIGKILL.
 */
final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final Ports ports;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Path log;
  private Process process;
  private int starts;

  /** The ports of one node: HTTP, the internal API, Pekko Management, Artery. */
  record Ports(int http, int internal, int management, int remote) {
    static Ports free() {
      return new Ports(
          TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort());
    }

    String managementEndpoint() {
      return "127.0.0.1:" + management;
    }
  }

  NodeProcess(
      String name, Ports ports, Map<String, String> env, List<String> jvmOptions, Path logDir) {
    this.name = name;
    this.ports = ports;
    this.env = new LinkedHashMap<>(env);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.log = logDir.resolve(name + ".log");
  }

  static Path jar() {
    String path = System.getProperty("freshet.jar", "target/freshet.jar");
    Path jar = Path.of(path);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "The node's fat jar " + jar.toAbsolutePath() + " is missing: run mvn verify -Pprocesses");
    }
    return jar;
  }

  /** Starts the JVM (again, after a stop or kill: same ports, same settings). */
  synchronized NodeProcess start() {
    if (process != null && process.isAlive()) throw new IllegalStateException(name + " runs");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar().toAbsolutePath().toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    environment.putAll(env);
    environment.put("FRESHET_HTTP_HOST", "127.0.0.1");
    environment.put("FRESHET_HTTP_PORT", String.valueOf(ports.http()));
    environment.put("FRESHET_INTERNAL_HTTP_PORT", String.valueOf(ports.internal()));
    environment.put("FRESHET_MANAGEMENT_PORT", String.valueOf(ports.management()));
    environment.put("FRESHET_REMOTE_PORT", String.valueOf(ports.remote()));
    environment.put("FRESHET_LOG_FORMAT", "TEXT");
    builder.redirectErrorStream(true);
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          "==== start " + (++starts) + " ====\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Whether Pekko Management says the node is ready (member Up, database and sharding ready). */
  boolean ready() {
    return status("http://127.0.0.1:" + ports.management() + "/ready") == 200;
  }

  /** Waits until {@link #ready()}; fails early, with the log's tail, when the process dies. */
  NodeProcess awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive()) throw new IllegalStateException(name + " exited:\n" + tail(40));
      if (ready()) return this;
      sleep(250);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + tail(40));
  }

  /** SIGKILL: no shutdown of any kind. */
  void kill() {
    Process p = process;
    if (p == null) return;
    p.destroyForcibly();
    waitFor(p, Duration.ofSeconds(20));
  }

  /**
   * SIGTERM: Pekko's coordinated shutdown leaves the cluster, hands its users over and drains its
   * requests. Answers how long the process took to exit.
   */
  Duration stop(Duration timeout) {
    Process p = process;
    if (p == null || !p.isAlive()) return Duration.ZERO;
    long start = System.nanoTime();
    p.destroy();
    if (!waitFor(p, timeout)) {
      p.destroyForcibly();
      waitFor(p, Duration.ofSeconds(20));
      throw new IllegalStateException(name + " did not stop within " + timeout + ":\n" + tail(40));
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  int exitCode() {
    return process.exitValue();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + ports.http();
  }

  String managementUrl() {
    return "http://127.0.0.1:" + ports.management();
  }

  /** The last {@code lines} lines of the node's log (all its starts). */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static String get(String url) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (alive()) {
      try {
        stop(Duration.ofSeconds(60));
      } catch (RuntimeException e) {
        kill();
      }
    }
  }

  private static boolean waitFor(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
