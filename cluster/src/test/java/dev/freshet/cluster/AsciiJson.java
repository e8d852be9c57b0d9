package dev.freshet.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * JSON text for hostile bodies. Jackson's own writer refuses or repairs what the fuzz wants to send
 * (a lone UTF-16 surrogate, a number too large for a double), so this one writes every string with
 * {@code \\uXXXX} escapes for anything outside printable ASCII, char by char (a lone surrogate
 * stays one), and writes {@link #raw} values verbatim.
 */
final class AsciiJson {

  private AsciiJson() {}

  /** A value written exactly as {@code json}, e.g. {@code 1e309} or 5,000 nested brackets. */
  static JsonNode raw(String json) {
    return JsonNodeFactory.instance.pojoNode(new RawValue(json));
  }

  static byte[] bytes(JsonNode node) {
    return write(node).getBytes(StandardCharsets.US_ASCII);
  }

  static String write(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out) {
    if (node instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw) {
      out.append(raw.rawValue());
    } else if (node.isObject()) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (!first) out.append(',');
        first = false;
        string(field.getKey(), out);
        out.append(':');
        write(field.getValue(), out);
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) out.append(',');
        write(node.get(i), out);
      }
      out.append(']');
    } else if (node.isTextual()) {
      string(node.textValue(), out);
    } else {
      out.append(node.toString()); // numbers, booleans, null
    }
  }

  static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c >= 0x20 && c < 0x7f) out.append(c);
      else out.append(String.format("\\u%04x", (int) c));
    }
    out.append('"');
  }

  static String string(String s) {
    StringBuilder out = new StringBuilder();
    string(s, out);
    return out.toString();
  }
}
