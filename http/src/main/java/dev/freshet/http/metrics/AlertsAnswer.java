package dev.freshet.http.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /v1/admin/alerts}: SPEC C9's alerts as this node sees them now, firing ones first,
 * then pending, then ok.
 */
public record AlertsAnswer(
    String evaluatedAt, long windowSeconds, long firing, List<AlertsAnswer.Alert> alerts) {

  /** One alert: {@code value} and {@code activeSince} are {@code null} when there is none. */
  public record Alert(
      String name,
      String config,
      String state,
      Double value,
      double threshold,
      String comparison,
      long forSeconds,
      String activeSince,
      String severity,
      String summary,
      String description,
      @JsonInclude(JsonInclude.Include.NON_NULL) String note) {

    static Alert of(Alerts.Status s) {
      return new Alert(
          s.name(),
          s.config(),
          s.state().key(),
          s.value(),
          s.threshold(),
          s.comparison(),
          s.forSeconds(),
          s.activeSince() == null ? null : s.activeSince().toString(),
          s.severity(),
          s.summary(),
          s.description(),
          s.note());
    }
  }

  public static AlertsAnswer of(List<Alerts.Status> statuses, Duration window, Instant now) {
    List<Alert> alerts =
        statuses.stream()
            .sorted(Comparator.comparing(Alerts.Status::state))
            .map(Alert::of)
            .toList();
    long firing = statuses.stream().filter(s -> s.state() == Alerts.State.FIRING).count();
    return new AlertsAnswer(now.toString(), window.toSeconds(), firing, alerts);
  }
}
