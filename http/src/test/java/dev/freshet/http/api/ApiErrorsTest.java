package dev.freshet.http.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.persistence.StoreException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/** A request that can never succeed is a 4xx; only what may pass on a retry is a 503 (issue 12). */
class ApiErrorsTest {

  private final ApiErrors errors = new ApiErrors(ApiJson.mapper());

  private int status(Throwable failure) {
    return errors.toResponse(new CompletionException(failure), "trace").status().intValue();
  }

  @Test
  void valuesTheDatabaseRefusesArePermanent() {
    for (String state : new String[] {"22008", "22003", "22P05", "22021", "23505"}) {
      assertThat(status(new StoreException("upsert failed", new SQLException("refused", state))))
          .as(state)
          .isEqualTo(400);
    }
  }

  @Test
  void anUnavailableDatabaseOrATimeoutIsTemporary() {
    assertThat(status(new StoreException("down", new SQLException("connection refused", "08001"))))
        .isEqualTo(503);
    assertThat(status(new StoreException("pool", new SQLException("timeout")))).isEqualTo(503);
    assertThat(status(new TimeoutException("ask timed out"))).isEqualTo(503);
  }

  @Test
  void anEntitysRefusalIsUnprocessable() {
    HttpResponse response =
        errors.toResponse(new StatusReply.ErrorMessage("a user keeps at most 1000 favorites"), "t");
    assertThat(response.status().intValue()).isEqualTo(422);
  }

  @Test
  void aMalformedHeaderClosesTheConnection() {
    HttpResponse response =
        errors.toResponse(ApiException.closing(400, "malformed_header", "bad", "X-Note"), "t");
    assertThat(response.getHeader("Connection").map(h -> h.value())).hasValue("close");
  }

  @Test
  void echoedLoneSurrogatesNeverBreakTheErrorJson() throws Exception {
    HttpResponse response =
        errors.toResponse(
            ApiException.invalid("a\uD800", "variant x\uDC00y is not configured"), "t");
    assertThat(response.status().intValue()).isEqualTo(400);
    // each lone surrogate becomes U+FFFD; a pair stays the character it is
    JsonNode error = error(response);
    assertThat(error.path("field").asText()).isEqualTo("a\uFFFD");
    assertThat(error.path("message").asText()).isEqualTo("variant x\uFFFDy is not configured");
    HttpResponse paired = errors.toResponse(ApiException.invalid("f", "rain \uD83C\uDF27"), "t");
    assertThat(error(paired).path("message").asText()).isEqualTo("rain \uD83C\uDF27");
  }

  private static JsonNode error(HttpResponse response) throws Exception {
    byte[] body = ((HttpEntity.Strict) response.entity()).getData().toArray();
    return ApiJson.mapper().readTree(body).path("error");
  }
}
