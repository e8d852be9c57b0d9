package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.actors.pool.FreshnessBands;
import dev.freshet.http.dashboard.DashboardAnswers;
import dev.freshet.http.dashboard.DashboardRange;
import dev.freshet.http.dashboard.DashboardStatistics;
import dev.freshet.http.metrics.Alerts;
import dev.freshet.http.metrics.MetricHistory;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/admin/dashboard/…}: what the admin dashboard plots. Activity and freshness come from
 * the read models (the whole cluster's, over 24 h, 7 d or 30 d); metrics from this node's own
 * history (latency, read-model lag, pool generation, over up to a day).
 */
public final class DashboardRoutes extends ApiRoutes {

  private static final String FRESHNESS_ALERT = "freshness-drop";

  private final DashboardStatistics statistics;
  private final MetricHistory history;
  private final FreshnessBands residents;
  private final Alerts alerts;
  private final String node;

  public DashboardRoutes(
      DashboardStatistics statistics,
      MetricHistory history,
      FreshnessBands residents,
      Alerts alerts,
      String node,
      ObjectMapper mapper) {
    super(mapper);
    this.statistics = statistics;
    this.history = history;
    this.residents = residents;
    this.alerts = alerts;
    this.node = node;
  }

  /** The routes under {@code /v1/admin/dashboard/}. */
  public Route routes() {
    return concat(
        path("activity", () -> get(() -> parameterMap(this::activity))),
        path("freshness", () -> get(() -> parameterMap(this::freshness))),
        path("metrics", () -> get(() -> parameterMap(this::metrics))));
  }

  private Route activity(Map<String, String> query) {
    DashboardRange range = readModelRange(query);
    return onSuccess(
        statistics.activity(range),
        a ->
            json(
                200,
                DashboardAnswers.Activity.of(
                    range, a.window().from(), a.window().to(), a.result())));
  }

  private Route freshness(Map<String, String> query) {
    DashboardRange range = readModelRange(query);
    double threshold = alerts.settings().limits().get(FRESHNESS_ALERT).threshold();
    return onSuccess(
        statistics.freshness(range),
        f ->
            json(
                200,
                DashboardAnswers.Freshness.of(
                    range,
                    f.window().from(),
                    f.window().to(),
                    f.result(),
                    residents.kpi(),
                    residents.users(FreshnessBands.Share.HALF_OR_MORE_UNSEEN)
                        + residents.users(FreshnessBands.Share.UNDER_HALF_UNSEEN),
                    threshold)));
  }

  private Route metrics(Map<String, String> query) {
    DashboardRange range =
        DashboardRange.parse(
            Optional.ofNullable(query.get("range")),
            DashboardRange.NODE_METRICS,
            DashboardRange.NODE_METRICS.get(1));
    return json(
        200,
        DashboardAnswers.NodeMetrics.of(node, range, Instant.now(), history.last(range.length())));
  }

  private static DashboardRange readModelRange(Map<String, String> query) {
    return DashboardRange.parse(
        Optional.ofNullable(query.get("range")),
        DashboardRange.READ_MODEL,
        DashboardRange.READ_MODEL.get(0));
  }
}
