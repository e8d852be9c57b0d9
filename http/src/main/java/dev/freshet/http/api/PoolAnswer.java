package dev.freshet.http.api;

import dev.freshet.actors.pool.GenerationRequest;
import dev.freshet.actors.pool.PoolStatus;
import java.util.List;

/**
 * {@code GET /v1/admin/pool}: predictive pool generation as the cluster's coordinator sees it,
 * times in epoch milliseconds.
 */
public record PoolAnswer(
    String generator,
    int usersAtRisk,
    List<PoolAnswer.UserAtRisk> atRisk,
    List<PoolAnswer.Demand> waiting,
    List<PoolAnswer.Request> inFlight,
    List<PoolAnswer.Request> completed,
    List<PoolAnswer.Request> failed,
    PoolAnswer.Totals totals) {

  public record UserAtRisk(
      String userId, int unseenReported, int unseenNow, long reportedAtMillis) {}

  /** Demand not yet asked for ({@code category} {@code null} = any). */
  public record Demand(
      String category, int wanted, boolean urgent, int users, int attempt, long notBeforeMillis) {}

  /** One generation request and, once finished, how it ended. */
  public record Request(
      Asked request, String status, Long finishedAtMillis, List<String> itemIds, String failure) {}

  /** What was asked of the generator. */
  public record Asked(
      String id,
      String category,
      int count,
      boolean urgent,
      int users,
      String reason,
      int attempt,
      long createdAtMillis) {}

  public record Totals(
      long signals, long requests, long completed, long failed, long itemsGenerated) {}

  public static PoolAnswer of(PoolStatus s) {
    return new PoolAnswer(
        s.generator(),
        s.usersAtRisk(),
        s.atRisk().stream()
            .map(
                u ->
                    new UserAtRisk(
                        u.userId(), u.unseenReported(), u.unseenNow(), u.reportedAtMillis()))
            .toList(),
        s.waiting().stream()
            .map(
                d ->
                    new Demand(
                        d.category(),
                        d.wanted(),
                        d.urgent(),
                        d.users(),
                        d.attempt(),
                        d.notBeforeMillis()))
            .toList(),
        requests(s.inFlight()),
        requests(s.completed()),
        requests(s.failed()),
        new Totals(
            s.totals().signals(),
            s.totals().requests(),
            s.totals().completed(),
            s.totals().failed(),
            s.totals().itemsGenerated()));
  }

  private static List<Request> requests(List<PoolStatus.RequestRecord> records) {
    return records.stream()
        .map(
            r ->
                new Request(
                    asked(r.request()), r.status(), r.finishedAtMillis(), r.itemIds(), r.failure()))
        .toList();
  }

  private static Asked asked(GenerationRequest g) {
    return new Asked(
        g.id(),
        g.category(),
        g.count(),
        g.urgent(),
        g.users(),
        g.reason(),
        g.attempt(),
        g.createdAtMillis());
  }
}
