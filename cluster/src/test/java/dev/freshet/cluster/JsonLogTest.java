package dev.freshet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The node's log lines, encoded by the production logback.xml, are JSON objects carrying the trace
 * id of the request they are about (taken from X-Request-Id here).
 */
class JsonLogTest {

  @Test
  void requestLogLinesAreJsonWithTheTraceId() throws Exception {
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    Logger access = (Logger) LoggerFactory.getLogger("dev.freshet.http.access");
    access.addAppender(captured);
    try (TestNodes.Standalone node = TestNodes.standalone(Map.of())) {
      var response =
          node.api()
              .raw(
                  HttpRequest.newBuilder(node.api().uri("/v1/items/nothing-here"))
                      .header("X-Request-Id", "trace-json-7")
                      .GET());
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue("trace-json-7");
    } finally {
      access.detachAppender(captured);
    }
    ILoggingEvent event =
        captured.list.stream()
            .filter(e -> "trace-json-7".equals(e.getMDCPropertyMap().get("traceId")))
            .findFirst()
            .orElseThrow();

    JsonNode line = Api.JSON.readTree(productionJsonEncoding(event));
    assertThat(line.path("traceId").asText()).isEqualTo("trace-json-7");
    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("logger_name").asText()).isEqualTo("dev.freshet.http.access");
    assertThat(line.path("message").asText()).contains("GET /v1/items/nothing-here -> 404");
    assertThat(line.has("@timestamp")).isTrue();
  }

  /** {@code event} as the node's own logback.xml writes it by default. */
  private static String productionJsonEncoding(ILoggingEvent event) throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(JsonLogTest.class.getResource("/logback.xml"));
    AsyncAppender async =
        (AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
    OutputStreamAppender<ILoggingEvent> json =
        (OutputStreamAppender<ILoggingEvent>) async.getAppender("JSON");
    assertThat(json).as("logback.xml's default appender is the JSON one").isNotNull();
    String encoded = new String(json.getEncoder().encode(event), StandardCharsets.UTF_8);
    context.stop();
    return encoded.trim();
  }
}
