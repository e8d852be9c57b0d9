package dev.freshet.actors.pool;

import dev.freshet.actors.CborSerializable;
import java.util.List;

/**
 * What operators see of predictive pool generation ({@code GET /v1/admin/pool}): users at risk
 * (fewest unseen first, at most a page of them, with the total), demand waiting for its window or
 * its retry, requests in flight, and the latest completed and failed requests with their reasons.
 */
public record PoolStatus(
    String generator,
    int usersAtRisk,
    List<UserAtRisk> atRisk,
    List<Demand> waiting,
    List<RequestRecord> inFlight,
    List<RequestRecord> completed,
    List<RequestRecord> failed,
    Totals totals)
    implements CborSerializable {

  /** A user with fewer unseen items than the at-risk limit: last reported, and estimated now. */
  public record UserAtRisk(String userId, int unseenReported, int unseenNow, long reportedAtMillis)
      implements CborSerializable {}

  /**
   * Demand not yet asked for: its category ({@code null} = any), size, users and earliest next try.
   */
  public record Demand(
      String category, int wanted, boolean urgent, int users, int attempt, long notBeforeMillis)
      implements CborSerializable {}

  /**
   * One generation request: what was asked and, once finished, how it ended ({@code status}
   * pending, completed or failed; {@code itemIds} created; {@code failure} the reason).
   */
  public record RequestRecord(
      GenerationRequest request,
      String status,
      Long finishedAtMillis,
      List<String> itemIds,
      String failure)
      implements CborSerializable {}

  /** Counters since the coordinator's journal began (they survive its moves). */
  public record Totals(
      long signals, long requests, long completed, long failed, long itemsGenerated)
      implements CborSerializable {}
}
