package dev.freshet.cluster.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** JSON lines: each line one object with the API's fields, as it would stand in a batch. */
final class JsonLines implements LineReader {

  // a line is one object: "{...} junk" is refused, not read as its first value
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @Override
  public Row read(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadValue("not JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode object)) throw new BadValue("not a JSON object");
    return new Row(object, Map.of());
  }

  @Override
  public String describe() {
    return "JSON lines";
  }
}
