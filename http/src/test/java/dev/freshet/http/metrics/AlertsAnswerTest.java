package dev.freshet.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.http.api.ApiJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON of {@code GET /v1/admin/alerts}, exactly. */
class AlertsAnswerTest {

  private static String json(Object answer) throws Exception {
    return ApiJson.mapper().writeValueAsString(answer);
  }

  @Test
  void alertsPutFiringFirstAndKeepANullValue() throws Exception {
    Alerts.Status ok =
        new Alerts.Status(
            "Lag",
            "freshet.alerts.lag",
            Alerts.State.OK,
            null,
            30,
            ">",
            60,
            null,
            "warning",
            "s",
            "d",
            null);
    Alerts.Status firing =
        new Alerts.Status(
            "Errors",
            "freshet.alerts.errors",
            Alerts.State.FIRING,
            0.5,
            0.1,
            ">=",
            0,
            Instant.parse("2026-11-22T10:00:00Z"),
            "critical",
            "s",
            "d",
            "n");
    assertThat(
            json(
                AlertsAnswer.of(
                    List.of(ok, firing),
                    Duration.ofMinutes(5),
                    Instant.parse("2026-11-22T10:05:00Z"))))
        .isEqualTo(
            "{\"evaluatedAt\":\"2026-11-22T10:05:00Z\",\"windowSeconds\":300,\"firing\":1,\"alerts\":["
                + "{\"name\":\"Errors\",\"config\":\"freshet.alerts.errors\",\"state\":\"firing\",\"value\":0.5,"
                + "\"threshold\":0.1,\"comparison\":\">=\",\"forSeconds\":0,\"activeSince\":\"2026-11-22T10:00:00Z\","
                + "\"severity\":\"critical\",\"summary\":\"s\",\"description\":\"d\",\"note\":\"n\"},"
                + "{\"name\":\"Lag\",\"config\":\"freshet.alerts.lag\",\"state\":\"ok\",\"value\":null,"
                + "\"threshold\":30.0,\"comparison\":\">\",\"forSeconds\":60,\"activeSince\":null,"
                + "\"severity\":\"warning\",\"summary\":\"s\",\"description\":\"d\"}]}");
  }
}
