package dev.freshet.http.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** The edge's JSON: one strict mapper, and responses built from it. */
public final class ApiJson {
  private ApiJson() {}

  public static ObjectMapper mapper() {
    return JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  public static HttpResponse response(ObjectMapper mapper, int status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(StatusCodes.get(status))
          .withEntity(
              HttpEntities.create(ContentTypes.APPLICATION_JSON, mapper.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Response not serializable", e);
    }
  }

  private static final ObjectMapper STORED = mapper();

  /**
   * JSON that Freshet stored itself (an item's attributes, rows PostgreSQL renders as JSON), as a
   * tree to answer with; {@code what} names it in the failure.
   */
  static JsonNode stored(String json, String what) {
    try {
      return STORED.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(what + " is not JSON", e);
    }
  }

  /**
   * A parser message for the client: without Jackson's source excerpt (which would echo the body)
   * and without the names of Jackson's classes and settings that some of its messages carry.
   */
  public static String brief(Exception e) {
    if (e instanceof StreamConstraintsException) {
      return "the JSON is nested too deeply or holds a number or string beyond the parser's limits";
    }
    String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : null;
    if (message == null) return "unreadable JSON";
    int internal =
        firstOf(message, "`", "com.fasterxml", "(for ", "JsonParser", "StreamReadFeature");
    if (internal < 0) return message;
    String kept = message.substring(0, internal);
    int open = kept.lastIndexOf('(');
    if (open >= 0 && kept.indexOf(')', open) < 0)
      kept = kept.substring(0, open); // no half of a parenthesis
    return kept.strip();
  }

  private static int firstOf(String s, String... needles) {
    int first = -1;
    for (String n : needles) {
      int i = s.indexOf(n);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    }
    return first;
  }
}
