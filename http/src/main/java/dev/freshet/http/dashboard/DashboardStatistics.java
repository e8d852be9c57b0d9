package dev.freshet.http.dashboard;

import com.typesafe.config.Config;
import dev.freshet.persistence.JdbcActivityStatistics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The read-model side of the dashboard: activity and freshness per range, read off the serving
 * threads, each answer reused for {@code freshet.dashboard.cache-for} so that many open dashboards
 * (each refreshing every half minute) cost one query per range, and concurrent askers share the
 * query in flight. A failed query is not kept: the next asker tries again.
 */
public final class DashboardStatistics {

  /** {@code freshet.dashboard}'s database settings. */
  public record Settings(Duration statementTimeout, Duration cacheFor) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.dashboard");
      return new Settings(c.getDuration("statement-timeout"), c.getDuration("cache-for"));
    }
  }

  /** An answer and when it was asked for. */
  private record Cached<T>(long atMillis, CompletableFuture<T> answer) {}

  private final JdbcActivityStatistics statistics;
  private final Executor blocking;
  private final Settings settings;
  private final Clock clock;
  private final Map<String, Cached<?>> cache = new ConcurrentHashMap<>();

  public DashboardStatistics(
      DataSource dataSource, Executor blocking, Settings settings, Clock clock) {
    this.statistics = new JdbcActivityStatistics(dataSource, settings.statementTimeout());
    this.blocking = blocking;
    this.settings = settings;
    this.clock = clock;
  }

  /** The window of {@code range} ending now, to the second. */
  public record Window(Instant from, Instant to) {}

  public Window window(DashboardRange range) {
    Instant to = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    return new Window(to.minus(range.length()), to);
  }

  public CompletionStage<Answer<JdbcActivityStatistics.Activity>> activity(DashboardRange range) {
    return cached(
        "activity/" + range.name(),
        w -> statistics.activity(w.from(), w.to(), range.bucket()),
        range);
  }

  public CompletionStage<Answer<JdbcActivityStatistics.Freshness>> freshness(DashboardRange range) {
    return cached(
        "freshness/" + range.name(),
        w -> statistics.freshness(w.from(), w.to(), range.bucket()),
        range);
  }

  /** A result and the window it covers. */
  public record Answer<T>(Window window, T result) {}

  @SuppressWarnings("unchecked")
  private <T> CompletionStage<Answer<T>> cached(
      String key, Function<Window, T> query, DashboardRange range) {
    long now = clock.millis();
    Cached<Answer<T>> entry =
        (Cached<Answer<T>>)
            cache.compute(
                key,
                (k, old) -> {
                  if (old != null
                      && now - old.atMillis() < settings.cacheFor().toMillis()
                      && !old.answer().isCompletedExceptionally()) return old;
                  Window w = window(range);
                  return new Cached<>(
                      now,
                      CompletableFuture.supplyAsync(
                          () -> new Answer<>(w, query.apply(w)), blocking));
                });
    return entry.answer();
  }
}
